// Evidence files: checked in the browser before anything is sent (the server checks again, by content).

import { sendWithToken } from './api/auth-fetch'
import { ApiError, type Problem } from './problem'

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024
export const ACCEPT = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png'

export type FileKind = 'pdf' | 'jpg' | 'png'
export type FileCheck = { ok: true; kind: FileKind } | { ok: false; reason: 'empty' | 'size' | 'type' }

/**
 * How far into a file `%PDF-` may start. PDF readers look for the header in the first 1024 bytes,
 * so a PDF written with a byte-order mark or a line break before it still opens for the reviewer.
 * The server judges by the same rule (api/src/domain/evidence.rs); both are tested against the
 * files of api/tests/fixtures/files/manifest.json.
 */
export const PDF_HEADER_WINDOW = 1024
/** How many first bytes `sniff` needs. */
export const SNIFF_BYTES = PDF_HEADER_WINDOW + 5

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff]
const UTF8_BOM = [0xef, 0xbb, 0xbf]
const PDF_HEADER = [0x25, 0x50, 0x44, 0x46, 0x2d] // %PDF-
const PDF_LEADING_SPACE = new Set([0x20, 0x09, 0x0d, 0x0a, 0x0c])

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) =>
  signature.every((byte, i) => bytes[at + i] === byte)

/**
 * The kind the first bytes say, whatever the name claims: the PNG or JPEG signature, or `%PDF-`
 * after an optional UTF-8 byte-order mark and whitespace, within the first 1024 bytes.
 */
export function sniff(bytes: Uint8Array): FileKind | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png'
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'jpg'
  let start = startsWith(bytes, UTF8_BOM) ? UTF8_BOM.length : 0
  while (start < bytes.length && PDF_LEADING_SPACE.has(bytes[start]!)) start += 1
  return start <= PDF_HEADER_WINDOW && startsWith(bytes, PDF_HEADER, start) ? 'pdf' : null
}

function readHead(file: Blob, length: number): Promise<Uint8Array> {
  const head = file.slice(0, length)
  if (typeof head.arrayBuffer === 'function') return head.arrayBuffer().then((buffer) => new Uint8Array(buffer))
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer))
    reader.onerror = () => reject(reader.error)
    reader.readAsArrayBuffer(head)
  })
}

/** PDF, JPG or PNG by content and at most `maxBytes`; the size is checked first (no read needed). */
export async function checkEvidenceFile(file: File, maxBytes = MAX_UPLOAD_BYTES): Promise<FileCheck> {
  if (file.size === 0) return { ok: false, reason: 'empty' }
  if (file.size > maxBytes) return { ok: false, reason: 'size' }
  const kind = sniff(await readHead(file, SNIFF_BYTES))
  return kind ? { ok: true, kind } : { ok: false, reason: 'type' }
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null
  } catch {
    return null
  }
}

/** One multipart POST through XMLHttpRequest, for its upload progress (fetch cannot report it). */
function post(url: string, form: FormData, token: string | null, onProgress: (percent: number) => void) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100))
    }
    xhr.onload = () => resolve({ status: xhr.status, body: parseJson(xhr.responseText) })
    xhr.onerror = () => reject(ApiError.network(new Error('upload failed')))
    xhr.send(form)
  })
}

/**
 * Sends one file as multipart field `file` with upload progress, resolving to the server's JSON
 * answer or rejecting with an ApiError. An expired token is refreshed and the file sent again.
 */
export async function uploadWithProgress<T>(url: string, file: File, onProgress: (percent: number) => void): Promise<T> {
  const form = new FormData()
  form.append('file', file, file.name)
  const { status, body } = await sendWithToken((token) => post(url, form, token, onProgress))
  if (status < 200 || status >= 300) throw ApiError.from(status, body as Partial<Problem> | undefined)
  onProgress(100)
  return body as T
}

/** Fetches a protected file (Bearer token) as a Blob for preview or download. */
export async function fetchBlob(url: string): Promise<Blob> {
  let response: Response
  try {
    response = await sendWithToken((token) => fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} }))
  } catch (cause) {
    throw ApiError.network(cause)
  }
  if (!response.ok) throw ApiError.from(response.status, (await response.json().catch(() => undefined)) as Partial<Problem> | undefined)
  return response.blob()
}

/** Saves a Blob under a file name through a temporary link. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
