// Evidence files for the walk: a real PDF, one that only claims to be a PDF, and one too big.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { makePdf } from './pdf'

const dir = join(tmpdir(), 'zc-browser-files')

export function evidenceFiles(): { pdf: string; fake: string; big: string } {
  mkdirSync(dir, { recursive: true })
  const pdf = join(dir, '学历证书.pdf')
  writeFileSync(pdf, makePdf('Diploma of Wang Xiaoyan, Shandong First Medical University, 2010'))
  const fake = join(dir, '证书扫描件.pdf')
  writeFileSync(fake, 'This is a Word document saved with a .pdf name, not a PDF.\n')
  const big = join(dir, '超大文件.pdf')
  const head = makePdf('too big')
  writeFileSync(big, Buffer.concat([head, Buffer.alloc(6 * 1024 * 1024 - head.length, 0x20)]))
  return { pdf, fake, big }
}
