// Evidence files: checked in the browser before anything is sent (the server checks again, by content).

import { sendWithToken } from './api/auth-fetch'
import { ApiError, type Problem } from './problem'

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024
export const ACCEPT = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png'

export type FileKind = 'pdf' | 'jpg' | 'png'
export type FileCheck = { ok: true; kind: FileKind } | { ok: false; reason: 'empty' | 'size' | 'type' }

const SIGNATURES: Array<[FileKind, number[]]> = [
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['jpg', [0xff, 0xd8, 0xff]],
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
]

/** The kind the first bytes say, whatever the name claims. */
export function sniff(bytes: Uint8Array): FileKind | null {
  for (const [kind, signature] of SIGNATURES) {
    if (signature.every((byte, i) => bytes[i] === byte)) return kind
  }
  return null
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
  const kind = sniff(await readHead(file, 8))
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
