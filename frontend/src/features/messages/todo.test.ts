import { describe, expect, it, vi, beforeEach } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { badgeText, countFor, useTodo } from './todo'

vi.mock('./api/messages', () => ({
  todoCounts: vi.fn(async () => ({ unread: 3, files_waiting: 5, paths_to_audit: 1, orgs_to_verify: 0 })),
}))

describe('待办 counts', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('maps each menu entry to its own count', () => {
    const todo = { unread: 9, files_waiting: 4, paths_to_audit: 2, orgs_to_verify: 7 }
    expect(countFor('/reviews', todo)).toBe(4)
    expect(countFor('/path-audits', todo)).toBe(2)
    expect(countFor('/bureau/orgs', todo)).toBe(7)
    expect(countFor('/declarations', todo)).toBe(0)
    expect(countFor('/reviews/abc', todo)).toBe(0)
  })

  it('shows nothing for zero and caps at 99+', () => {
    expect(badgeText(0)).toBe('')
    expect(badgeText(-1)).toBe('')
    expect(badgeText(1)).toBe('1')
    expect(badgeText(99)).toBe('99')
    expect(badgeText(100)).toBe('99+')
  })

  it('loads the counts and lets the bell follow a read at once', async () => {
    const todo = useTodo()
    await todo.refresh()
    expect(todo.counts.files_waiting).toBe(5)
    todo.setUnread(todo.counts.unread - 1)
    expect(todo.counts.unread).toBe(2)
    todo.setUnread(-4)
    expect(todo.counts.unread).toBe(0)
  })
})
