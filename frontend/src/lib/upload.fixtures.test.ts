// The browser judges evidence files by the server's rule: one shared set of files, with what each
// side must say about it, in api/tests/fixtures/files/manifest.json (the Rust tests read it too).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PDF_HEADER_WINDOW, checkEvidenceFile, sniff } from './upload'

type Member = { file: string; name: string; kind: 'pdf' | 'jpg' | 'png' | null; accept: boolean; reason: string }

// jsdom gives this module an http: URL; its folder on disk is import.meta.dirname.
const dir = join(import.meta.dirname, '../../../api/tests/fixtures/files')
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Member[] }
const bytesOf = (member: Member) => new Uint8Array(readFileSync(join(dir, member.file)))

describe('the shared evidence files', () => {
  it('has members of every kind, accepted and refused', () => {
    expect(manifest.files.filter((m) => m.accept).length).toBeGreaterThanOrEqual(4)
    expect(manifest.files.filter((m) => m.kind === null).length).toBeGreaterThanOrEqual(2)
  })

  for (const member of manifest.files) {
    it(`${member.file}: ${member.reason}`, async () => {
      const bytes = bytesOf(member)
      expect(sniff(bytes)).toBe(member.kind)
      const check = await checkEvidenceFile(new File([bytes], member.name))
      // The browser refuses what is not a PDF, JPG or PNG by its bytes; whether the file opens is
      // the server's to say (it parses), so the browser lets those through to be told why.
      expect(check).toEqual(member.kind ? { ok: true, kind: member.kind } : { ok: false, reason: 'type' })
    })
  }
})

describe('the PDF header window', () => {
  const pdf = new TextEncoder().encode('%PDF-1.7\n')
  const after = (prefix: number[]) => new Uint8Array([...prefix, ...pdf])

  it('allows a byte-order mark and whitespace, in the first 1024 bytes only', () => {
    expect(sniff(after([0xef, 0xbb, 0xbf, 0x20, 0x0a, 0x09]))).toBe('pdf')
    expect(sniff(after(new Array(PDF_HEADER_WINDOW).fill(0x0a)))).toBe('pdf')
    expect(sniff(after(new Array(PDF_HEADER_WINDOW + 1).fill(0x0a)))).toBeNull()
    expect(sniff(after([0x0a, 0xef, 0xbb, 0xbf]))).toBeNull()
  })

  it('reads enough of a file to find a late header', async () => {
    const late = after(new Array(1000).fill(0x20))
    expect(await checkEvidenceFile(new File([late], 'late.pdf'))).toEqual({ ok: true, kind: 'pdf' })
  })
})
