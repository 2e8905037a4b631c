import { describe, expect, it, vi } from 'vitest'
import { askBeforeLeaving, leaveDecision, leaveQuestion, type LeaveChoice, type UnsavedPart } from './unsaved'

function part(dirty: boolean, saves = true): UnsavedPart & { flushed: number; discarded: number } {
  const p = {
    flushed: 0,
    discarded: 0,
    dirty: () => dirty,
    flush: async () => {
      p.flushed += 1
      if (saves) dirty = false
      return saves
    },
    discard: () => {
      p.discarded += 1
      dirty = false
    },
  }
  return p
}

describe('leaveDecision', () => {
  it('leaves at once without asking when nothing is unsaved', async () => {
    const ask = vi.fn(async (): Promise<LeaveChoice> => 'stay')
    const parts = [part(false), part(false)]
    expect(await leaveDecision(parts, ask)).toBe(true)
    expect(ask).not.toHaveBeenCalled()
    expect(parts.map((p) => p.flushed + p.discarded)).toEqual([0, 0])
  })

  it('asks when one part is dirty, and 取消 stays without saving or forgetting anything', async () => {
    const ask = vi.fn(async (): Promise<LeaveChoice> => 'stay')
    const [clean, changed] = [part(false), part(true)]
    const parts = [clean, changed]
    expect(await leaveDecision(parts, ask)).toBe(false)
    expect(ask).toHaveBeenCalledTimes(1)
    expect(changed.flushed).toBe(0)
    expect(changed.discarded).toBe(0)
    expect(changed.dirty()).toBe(true)
  })

  it('保存并离开 saves every part and leaves', async () => {
    const changed = part(true)
    const parts = [changed, part(false)]
    expect(await leaveDecision(parts, async () => 'save')).toBe(true)
    expect(changed.flushed).toBe(1)
    expect(changed.dirty()).toBe(false)
  })

  it('保存并离开 stays when a save fails (offline, or a field the server refuses)', async () => {
    const failing = part(true, false)
    const parts = [failing, part(true)]
    expect(await leaveDecision(parts, async () => 'save')).toBe(false)
    expect(failing.dirty()).toBe(true)
  })

  it('不保存离开 forgets what was typed and leaves, saving nothing', async () => {
    const changed = part(true)
    const parts = [changed, part(false)]
    expect(await leaveDecision(parts, async () => 'discard')).toBe(true)
    expect(changed.discarded).toBe(1)
    expect(changed.flushed).toBe(0)
  })
})

describe('askBeforeLeaving', () => {
  it('is open until answered, and answers with the choice', async () => {
    const asked = askBeforeLeaving()
    expect(leaveQuestion.value).not.toBeNull()
    leaveQuestion.value?.('discard')
    expect(await asked).toBe('discard')
    expect(leaveQuestion.value).toBeNull()
  })

  it('a second question answers the first one 取消', async () => {
    const first = askBeforeLeaving()
    const second = askBeforeLeaving()
    expect(await first).toBe('stay')
    leaveQuestion.value?.('save')
    expect(await second).toBe('save')
  })
})

describe('mayLeave (退出登录 from a page with a form)', () => {
  it('asks about the parts of a guarded page on screen, and forgets them once it is gone', async () => {
    const { defineComponent, h } = await import('vue')
    const { mount } = await import('@vue/test-utils')
    const { createMemoryHistory, createRouter } = await import('vue-router')
    const { mayLeave, useLeaveGuard, useUnsavedPart } = await import('./unsaved')
    const changed = part(true)
    const Form = defineComponent({ setup: () => { useUnsavedPart(changed); return () => h('input') } })
    const Page = defineComponent({ setup: () => { useLeaveGuard(); return () => h(Form) } })
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: Page }] })
    await router.push('/')
    const wrapper = mount(Page, { global: { plugins: [router] } })
    const asked = mayLeave()
    expect(leaveQuestion.value).not.toBeNull()
    leaveQuestion.value?.('save')
    expect(await asked).toBe(true)
    expect(changed.flushed).toBe(1)
    wrapper.unmount()
    expect(await mayLeave()).toBe(true)
    expect(leaveQuestion.value).toBeNull()
  })
})
