import { defineStore } from 'pinia'
import { ref } from 'vue'
import { todoCounts, type TodoCounts } from './api/messages'

const EMPTY: TodoCounts = { unread: 0, files_waiting: 0, paths_to_audit: 0, orgs_to_verify: 0 }

/** Which 待办 count a menu entry shows (none for the others). */
export function countFor(menuPath: string, todo: TodoCounts): number {
  switch (menuPath) {
    case '/reviews':
      return todo.files_waiting
    case '/path-audits':
      return todo.paths_to_audit
    case '/bureau/orgs':
      return todo.orgs_to_verify
    default:
      return 0
  }
}

/** A badge's text: nothing for zero, `99+` past 99. */
export function badgeText(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return ''
  return count > 99 ? '99+' : String(Math.floor(count))
}

/** The caller's 待办 counts and unread messages; refreshed on a timer and after each change. */
export const useTodo = defineStore('todo', () => {
  const counts = ref<TodoCounts>({ ...EMPTY })
  let timer: ReturnType<typeof setInterval> | null = null

  async function refresh(): Promise<void> {
    try {
      counts.value = await todoCounts()
    } catch {
      // A failed look keeps the last numbers; the next tick tries again.
    }
  }

  function start(everyMs = 60_000): void {
    stop()
    void refresh()
    timer = setInterval(() => void refresh(), everyMs)
  }

  function stop(): void {
    if (timer) clearInterval(timer)
    timer = null
  }

  /** After reading messages here: the bell follows at once. */
  function setUnread(unread: number): void {
    counts.value = { ...counts.value, unread: Math.max(0, unread) }
  }

  return { counts, refresh, start, stop, setUnread }
})
