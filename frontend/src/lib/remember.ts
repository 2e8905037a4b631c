// Filters a clerk set on a list are there again when she comes back (this browser, this account).
import { ref, watch, type Ref } from 'vue'
import { getActivePinia } from 'pinia'
import { useSession } from './session'

/**
 * A value kept in localStorage under the account and `key`, read once and written on each change.
 * Unknown keys of a stored value are dropped and missing ones take `defaults`, so a new filter
 * field never breaks an old entry.
 */
export function useRemembered<T extends object>(key: string, defaults: T): Ref<T> {
  const account = getActivePinia() ? useSession().me?.id : undefined
  const storageKey = `zc.remember.${account ?? 'anon'}.${key}`
  let initial = { ...defaults }
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as Partial<T> | null
    if (stored && typeof stored === 'object') {
      for (const name of Object.keys(defaults) as (keyof T)[]) {
        if (stored[name] !== undefined && typeof stored[name] === typeof defaults[name]) initial[name] = stored[name]
      }
    }
  } catch {
    initial = { ...defaults }
  }
  const value = ref(initial) as Ref<T>
  watch(
    value,
    (now) => {
      try {
        localStorage.setItem(storageKey, JSON.stringify(now))
      } catch {
        // storage full or private mode: the filter lasts for this visit
      }
    },
    { deep: true },
  )
  return value
}
