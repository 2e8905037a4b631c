// Leaving a page with unsaved changes: each part of the page that holds typed values registers
// itself; leaving while any of them has something the server does not have yet asks first
// (保存并离开 / 不保存离开 / 取消), and closing the tab has the browser ask.
import { inject, onBeforeUnmount, onMounted, provide, shallowRef, type InjectionKey } from 'vue'
import { onBeforeRouteLeave } from 'vue-router'
import { t } from '@/config/i18n'
import { showWarning } from './notify'

export interface UnsavedPart {
  /** Typed values the server does not have yet (a pending autosave, or a save that failed). */
  dirty(): boolean
  /** Saves them; true when nothing is left unsaved. */
  flush(): Promise<boolean>
  /** Forgets them, with their copy in this browser (she chose 不保存离开). */
  discard(): void
}

/** What she chose when asked before leaving. */
export type LeaveChoice = 'save' | 'discard' | 'stay'

/**
 * Whether the route may change: nothing unsaved leaves at once without asking; otherwise `ask`
 * decides — 保存并离开 leaves only when every part saved, 不保存离开 forgets what was typed, 取消 stays.
 */
export async function leaveDecision(parts: Iterable<UnsavedPart>, ask: () => Promise<LeaveChoice>): Promise<boolean> {
  const all = [...parts]
  if (!all.some((part) => part.dirty())) return true
  const choice = await ask()
  if (choice === 'stay') return false
  if (choice === 'discard') {
    for (const part of all) part.discard()
    return true
  }
  return (await Promise.all(all.map((part) => part.flush()))).every(Boolean)
}

/** The question on screen, answered by LeaveDialog (mounted once in App.vue). */
export const leaveQuestion = shallowRef<((choice: LeaveChoice) => void) | null>(null)

/** Asks through LeaveDialog; a second question while one is open answers the first 取消. */
export function askBeforeLeaving(): Promise<LeaveChoice> {
  leaveQuestion.value?.('stay')
  return new Promise((resolve) => {
    leaveQuestion.value = (choice) => {
      leaveQuestion.value = null
      resolve(choice)
    }
  })
}

const PARTS: InjectionKey<Set<UnsavedPart>> = Symbol('unsavedParts')

/** The parts of the guarded pages on screen, for leaving that is not a route change of theirs. */
const mounted = new Set<Set<UnsavedPart>>()

/**
 * Asks as a route change would, for an action that ends the page some other way (退出登录: the
 * session must still hold while 保存并离开 saves). True when she may go on.
 */
export function mayLeave(): Promise<boolean> {
  return askAbout([...mounted].flatMap((set) => [...set]))
}

/** leaveDecision through LeaveDialog; a 保存并离开 that could not save says so (she stays, the problems on the page). */
async function askAbout(parts: Iterable<UnsavedPart>): Promise<boolean> {
  let chosen = null as LeaveChoice | null
  const leave = await leaveDecision(parts, async () => (chosen = await askBeforeLeaving()))
  if (!leave && chosen === 'save') showWarning(t('common.saveBeforeLeaveFailed'))
  return leave
}

/** Registers a part of the page with the page's guard (no-op outside a guarded page). */
export function useUnsavedPart(part: UnsavedPart): void {
  const parts = inject(PARTS, null)
  if (!parts) return
  parts.add(part)
  onBeforeUnmount(() => parts.delete(part))
}

/**
 * The guard of a page: asks before the route changes while a registered part has unsaved values,
 * and has the browser ask before the tab is closed or reloaded with unsaved values (their copy in
 * localStorage survives even then, so a crash loses at most the last keystrokes).
 */
export function useLeaveGuard(): { dirty: () => boolean; flushAll: () => Promise<boolean> } {
  const parts = new Set<UnsavedPart>()
  provide(PARTS, parts)
  const dirty = () => [...parts].some((part) => part.dirty())
  const flushAll = async () => (await Promise.all([...parts].map((part) => part.flush()))).every(Boolean)

  onBeforeRouteLeave(() => askAbout(parts))
  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (!dirty()) return
    void flushAll()
    event.preventDefault()
    event.returnValue = ''
  }
  onMounted(() => {
    window.addEventListener('beforeunload', beforeUnload)
    mounted.add(parts)
  })
  onBeforeUnmount(() => {
    mounted.delete(parts)
    window.removeEventListener('beforeunload', beforeUnload)
    // The page went away without the guard (its route was replaced): no question stays open.
    leaveQuestion.value?.('stay')
  })
  return { dirty, flushAll }
}
