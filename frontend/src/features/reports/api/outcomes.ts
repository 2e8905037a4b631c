import { pointerTokens, type FieldError } from '@/lib/problem'

export interface Outcome {
  id: string
  name: string
  ok: boolean
  message: string
  /** The server named it as not eligible (the others were only held back with it). */
  named?: boolean
}

/**
 * The per-declaration result of a refused 数据上报: the server names each offender by its index in
 * `declaration_ids` (`/declaration_ids/2`); the others were not reported either (all or nothing).
 */
export function refusedOutcomes(batch: ReadonlyArray<{ id: string; name: string }>, errors: readonly FieldError[], notReported: string): Outcome[] {
  const reasons = new Map<string, string>()
  for (const problem of errors) {
    const [head, token] = pointerTokens(problem.field)
    const id = head === 'declaration_ids' && token !== undefined && /^\d+$/.test(token) ? (batch[Number(token)]?.id ?? token) : (token ?? head ?? '')
    reasons.set(id, reasons.has(id) ? `${reasons.get(id)}；${problem.message}` : problem.message)
  }
  return batch.map((row) => {
    const reason = reasons.get(row.id)
    return reason === undefined ? { id: row.id, name: row.name, ok: false, message: notReported } : { id: row.id, name: row.name, ok: false, message: reason, named: true }
  })
}
