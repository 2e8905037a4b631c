// The authenticator app of the walk: RFC 6238 codes (HMAC-SHA1, 6 digits, 30-second steps), as
// the server checks them. The server takes each code once and only of a later step than the last.
import { createHmac } from 'node:crypto'

const STEP_SECS = 30
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

function base32Decode(text: string): Buffer {
  let bits = ''
  for (const char of text.replace(/[\s=]/g, '').toUpperCase()) {
    const value = BASE32.indexOf(char)
    if (value < 0) throw new Error(`not base32: ${char}`)
    bits += value.toString(2).padStart(5, '0')
  }
  const bytes: number[] = []
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2))
  return Buffer.from(bytes)
}

/** The code of one time step. */
export function codeAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const hmac = createHmac('sha1', base32Decode(secret)).update(counter).digest()
  const offset = (hmac[hmac.length - 1] ?? 0) & 0x0f
  const value = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000
  return String(value).padStart(6, '0')
}

export const currentStep = (): number => Math.floor(Date.now() / 1000 / STEP_SECS)

/** An authenticator that hands out a code the server has not taken yet (waiting for the clock when it must). */
export class Authenticator {
  private lastStep = 0
  constructor(readonly secret: string) {}

  async nextCode(): Promise<string> {
    // The server allows one step of drift, so the next step's code is good already.
    while (currentStep() + 1 <= this.lastStep) await new Promise((done) => setTimeout(done, 1000))
    this.lastStep = Math.max(currentStep(), this.lastStep + 1)
    return codeAt(this.secret, this.lastStep)
  }

  /** A code of none of the steps the server would take now. */
  wrongCode(): string {
    const now = currentStep()
    const taken = [now - 1, now, now + 1].map((step) => codeAt(this.secret, step))
    return ['000000', '111111', '222222'].find((code) => !taken.includes(code)) ?? '333333'
  }
}
