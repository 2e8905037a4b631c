import { reactive, watch } from 'vue'
import { ApiError, flatFieldErrors } from './problem'

/**
 * Server field errors for a flat form, keyed by field name, to bind to `el-form-item :error`.
 * `apply` returns the message that names no field (or '' when every error found its field).
 */
export function useServerErrors(form?: Record<string, unknown>) {
  const errors = reactive<Record<string, string>>({})

  // Editing a field takes its server error away.
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

  function apply(error: unknown, known: readonly string[]): string | null {
    clear()
    if (!(error instanceof ApiError) || error.errors.length === 0) return null
    const byField = flatFieldErrors(error.errors)
    const leftover: string[] = []
    for (const [field, message] of Object.entries(byField)) {
      if (field && known.includes(field)) errors[field] = message
      else leftover.push(message)
    }
    return leftover.join('；')
  }

  return { errors, apply, clear }
}
