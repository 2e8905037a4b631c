import { reactive, watch } from 'vue'
import { ApiError, flatFieldErrors, pointerTokens } from './problem'
import { messageOf } from './notify'

/**
 * Server field errors for a flat form, keyed by field name, to bind to `el-form-item :error`.
 * Editing a field takes its server error away.
 */
export function useServerErrors(form?: Record<string, unknown>) {
  const errors = reactive<Record<string, string>>({})

  if (form) {
    watch(
      () => ({ ...form }),
      (now, before) => {
        for (const key of Object.keys(now)) if (now[key] !== before[key]) delete errors[key]
      },
    )
  }

  function clear(field?: string): void {
    if (field) delete errors[field]
    else for (const key of Object.keys(errors)) delete errors[key]
  }

  /**
   * Puts each field error of a failure next to its field (`aliases` maps a request field to the
   * form's own name) and answers what the form should still say above the fields: the messages
   * that found no field, the failure's own message when it named no field, or ''.
   */
  function apply(error: unknown, known: readonly string[], aliases: Record<string, string> = {}): string {
    clear()
    if (!(error instanceof ApiError) || error.errors.length === 0) return messageOf(error)
    const leftover: string[] = []
    for (const [wire, message] of Object.entries(flatFieldErrors(error.errors))) {
      const field = aliases[wire] ?? wire
      if (field && known.includes(field)) errors[field] = message
      else leftover.push(message)
    }
    return leftover.join('；')
  }

  return { errors, apply, clear }
}

/**
 * Field errors under one part of a request (`/info/<key>`, `/data/<key>`), by key, and the
 * messages of the rest.
 */
export function errorsUnder(error: unknown, head: string): { fields: Record<string, string>; rest: string[] } {
  const fields: Record<string, string> = {}
  const rest: string[] = []
  for (const problem of error instanceof ApiError ? error.errors : []) {
    const [first, key] = pointerTokens(problem.field)
    if (first === head && key) fields[key] = fields[key] ? `${fields[key]}；${problem.message}` : problem.message
    else rest.push(problem.message)
  }
  return { fields, rest }
}
