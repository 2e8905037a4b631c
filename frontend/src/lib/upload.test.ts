import { describe, expect, it } from 'vitest'
import { MAX_UPLOAD_BYTES, checkEvidenceFile, formatSize, sniff } from './upload'

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
