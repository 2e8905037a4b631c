/** A random key (for Idempotency-Key); getRandomValues works outside secure contexts too. */
export function randomKey(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
