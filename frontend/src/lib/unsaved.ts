// Leaving a page with unsaved changes: each part of the page that holds typed values registers
// itself; leaving first saves what it can, and asks only when something could not be saved.
import { inject, onBeforeUnmount, onMounted, provide, type InjectionKey } from 'vue'
import { onBeforeRouteLeave } from 'vue-router'
import { ElMessageBox } from 'element-plus'
import { t } from '@/config/i18n'

export interface UnsavedPart {
  /** Typed values the server does not have yet. */
  dirty(): boolean
  /** Saves them; true when nothing is left unsaved. */
  flush(): Promise<boolean>
}

const PARTS: InjectionKey<Set<UnsavedPart>> = Symbol('unsavedParts')

/** Registers a part of the page with the page's guard (no-op outside a guarded page). */
export function useUnsavedPart(part: UnsavedPart): void {
  const parts = inject(PARTS, null)
  if (!parts) return
  parts.add(part)
  onBeforeUnmount(() => parts.delete(part))
}

/**
 * The guard of a page: saves every registered part before the route changes, asks before leaving
 * when a save failed, and has the browser ask before the tab is closed or reloaded with unsaved
 * values (their copy in localStorage survives even then).
 */
export function useLeaveGuard(): { dirty: () => boolean; flushAll: () => Promise<boolean> } {
  const parts = new Set<UnsavedPart>()
  provide(PARTS, parts)
  const dirty = () => [...parts].some((part) => part.dirty())
  const flushAll = async () => (await Promise.all([...parts].map((part) => part.flush()))).every(Boolean)

  onBeforeRouteLeave(async () => {
    if (!dirty() || (await flushAll())) return true
    try {
      await ElMessageBox.confirm(t('common.leaveUnsaved'), t('common.unsavedTitle'), {
        type: 'warning',
        confirmButtonText: t('common.leaveAnyway'),
        cancelButtonText: t('common.stay'),
      })
      return true
    } catch {
      return false
    }
  })
  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (!dirty()) return
    void flushAll()
    event.preventDefault()
    event.returnValue = ''
  }
  onMounted(() => window.addEventListener('beforeunload', beforeUnload))
  onBeforeUnmount(() => window.removeEventListener('beforeunload', beforeUnload))
  return { dirty, flushAll }
}
