// Reads the QR code a certificate PDF draws. The server draws each dark module as a filled square
// (`x y w h re`) in the page's content stream; they are painted onto a white raster with a quiet
// zone and decoded by jsQR, which shares nothing with the server's encoder.
import { inflateSync } from 'node:zlib'
import jsQR from 'jsqr'

/** The page content streams of a PDF, inflated when compressed. */
function contentStreams(pdf: Buffer): string[] {
  const text = pdf.toString('latin1')
  const streams: string[] = []
  // A stream's dictionary lies between its `obj` and its `stream` keywords.
  const pattern = /\bobj\b((?:(?!endobj)[\s\S])*?)stream\r?\n/g
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const dictionary = match[1] ?? ''
    const start = match.index + match[0].length
    const length = /\/Length\s+(\d+)\b(?!\s+\d+\s+R)/.exec(dictionary)?.[1]
    const end = length ? start + Number(length) : text.indexOf('endstream', start)
    if (end < start) break
    const raw = pdf.subarray(start, end)
    streams.push(/\/FlateDecode/.test(dictionary) ? inflateSync(raw).toString('latin1') : raw.toString('latin1'))
    pattern.lastIndex = end
  }
  return streams
}

/** What the QR code in a certificate PDF says; throws when there is none, or it does not read. */
export function readQrFromPdf(pdf: Buffer): string {
  const squares: Array<[number, number, number, number]> = []
  const square = /(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s+re\b/g
  for (const stream of contentStreams(pdf)) {
    for (const m of stream.matchAll(square)) squares.push([Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])])
  }
  if (squares.length === 0) throw new Error('the PDF draws no QR code')
  const left = Math.min(...squares.map(([x]) => x))
  const right = Math.max(...squares.map(([x, , w]) => x + w))
  const bottom = Math.min(...squares.map(([, y]) => y))
  const top = Math.max(...squares.map(([, y, , h]) => y + h))
  const scale = 3
  const quiet = 16
  const width = Math.round((right - left + 2 * quiet) * scale)
  const height = Math.round((top - bottom + 2 * quiet) * scale)
  const pixels = new Uint8ClampedArray(width * height * 4).fill(255)
  // PDF units to pixels; the PDF's y axis points up, the raster's down.
  const column = (u: number) => Math.round((u - left + quiet) * scale)
  const row = (v: number) => Math.round((top + quiet - v) * scale)
  for (const [x, y, w, h] of squares) {
    for (let r = row(y + h); r < row(y); r++) {
      for (let c = column(x); c < column(x + w); c++) pixels.fill(0, (r * width + c) * 4, (r * width + c) * 4 + 3)
    }
  }
  const code = jsQR(pixels, width, height)
  if (!code) throw new Error(`the QR code of ${squares.length} modules does not read`)
  return code.data
}
