import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_UPLOAD_BYTES, checkEvidenceFile, fetchBlob, formatSize, sniff, uploadWithProgress } from './upload'
import { accessToken, clearTokens, saveTokens } from './api/tokens'

const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n')
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])
const JPG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46])

const file = (bytes: BlobPart[], name: string, type = '') => new File(bytes, name, { type })

describe('sniff', () => {
  it('knows PDF, PNG and JPEG by their first bytes', () => {
    expect(sniff(PDF)).toBe('pdf')
    expect(sniff(PNG)).toBe('png')
    expect(sniff(JPG)).toBe('jpg')
    expect(sniff(new TextEncoder().encode('hello'))).toBeNull()
  })
})

describe('checkEvidenceFile', () => {
  it('accepts a real PDF, PNG and JPEG', async () => {
    expect(await checkEvidenceFile(file([PDF], '学历证书.pdf', 'application/pdf'))).toEqual({ ok: true, kind: 'pdf' })
    expect(await checkEvidenceFile(file([PNG], 'scan.png'))).toEqual({ ok: true, kind: 'png' })
    expect(await checkEvidenceFile(file([JPG], 'photo.JPG'))).toEqual({ ok: true, kind: 'jpg' })
  })

  it('judges by content, not by the name or the claimed type', async () => {
    const disguised = file(['just some text'], 'certificate.pdf', 'application/pdf')
    expect(await checkEvidenceFile(disguised)).toEqual({ ok: false, reason: 'type' })
    const renamedPdf = file([PDF], 'notes.txt', 'text/plain')
    expect(await checkEvidenceFile(renamedPdf)).toEqual({ ok: true, kind: 'pdf' })
    expect(await checkEvidenceFile(file(['PK\u0003\u0004'], 'form.docx'))).toEqual({ ok: false, reason: 'type' })
  })

  it('refuses files over 5 MiB and accepts exactly 5 MiB', async () => {
    const padding = new Uint8Array(MAX_UPLOAD_BYTES - PDF.length)
    expect(await checkEvidenceFile(file([PDF, padding], 'exact.pdf'))).toEqual({ ok: true, kind: 'pdf' })
    const over = new Uint8Array(MAX_UPLOAD_BYTES - PDF.length + 1)
    expect(await checkEvidenceFile(file([PDF, over], 'big.pdf'))).toEqual({ ok: false, reason: 'size' })
  })

  it('refuses an empty file and honours a configured limit', async () => {
    expect(await checkEvidenceFile(file([], 'empty.pdf'))).toEqual({ ok: false, reason: 'empty' })
    expect(await checkEvidenceFile(file([PDF], 'small.pdf'), 10)).toEqual({ ok: false, reason: 'size' })
  })
})

describe('formatSize', () => {
  it('reads as people read sizes', () => {
    expect(formatSize(512)).toBe('512 B')
    expect(formatSize(2048)).toBe('2.0 KB')
    expect(formatSize(6 * 1024 * 1024)).toBe('6.00 MB')
  })
})

describe('with an expired access token', () => {
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status })
  /** The server: a refresh hands out access-2, which is the only token it accepts. */
  const refresh = () => json({ access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 900 })
  const seen: Array<string | null> = []

  beforeEach(() => {
    seen.length = 0
    clearTokens()
    saveTokens({ access_token: 'access-1', refresh_token: 'refresh-1', expires_in: 900 })
  })
  afterEach(() => vi.unstubAllGlobals())

  it('a download refreshes once and retries', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/v1/auth/refresh') return refresh()
      const auth = new Headers(init?.headers).get('Authorization')
      seen.push(auth)
      return auth === 'Bearer access-2' ? new Response('%PDF-') : json({ code: 'unauthorized' }, 401)
    }))
    const blob = await fetchBlob('/api/v1/attachments/a')
    expect(await blob.text()).toBe('%PDF-')
    expect(seen).toEqual(['Bearer access-1', 'Bearer access-2'])
    expect(accessToken()).toBe('access-2')
  })

  it('an upload refreshes once and sends the file again', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => refresh()))
    class FakeXhr {
      status = 0
      responseText = ''
      upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null }
      onload: (() => void) | null = null
      onerror: (() => void) | null = null
      private auth: string | null = null
      open(): void {}
      setRequestHeader(name: string, value: string): void {
        if (name === 'Authorization') this.auth = value
      }
      send(): void {
        seen.push(this.auth)
        const ok = this.auth === 'Bearer access-2'
        this.status = ok ? 201 : 401
        this.responseText = JSON.stringify(ok ? { id: 'att-1' } : { code: 'unauthorized', detail: '登录已过期' })
        setTimeout(() => this.onload?.())
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const progress: number[] = []
    const answer = await uploadWithProgress('/api/v1/attachments', file([PDF], 'a.pdf'), (p) => progress.push(p))
    expect(answer).toEqual({ id: 'att-1' })
    expect(seen).toEqual(['Bearer access-1', 'Bearer access-2'])
    expect(progress.at(-1)).toBe(100)
  })
})
