import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAutosaver, localCopy } from './autosave'

describe('createAutosaver', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('saves the latest value once, a moment after the last change', async () => {
    const saved: string[] = []
    const saver = createAutosaver<string>({ save: async (v) => void saved.push(v), delay: 1000 })
    saver.change('汉')
    saver.change('汉族')
    expect(saver.dirty()).toBe(true)
    await vi.advanceTimersByTimeAsync(999)
    expect(saved).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(saved).toEqual(['汉族'])
    expect(saver.dirty()).toBe(false)
    expect(saver.state()).toBe('saved')
  })

  it('flush saves at once, one save at a time, and the value typed during a save goes next', async () => {
    const saved: string[] = []
    let release: () => void = () => undefined
    const saver = createAutosaver<string>({
      save: (v) => new Promise<void>((resolve) => { release = () => { saved.push(v); resolve() } }),
      delay: 1000,
    })
    saver.change('男')
    const first = saver.flush()
    await vi.advanceTimersByTimeAsync(0)
    saver.change('女')
    const second = saver.flush()
    release()
    await vi.advanceTimersByTimeAsync(0)
    release()
    expect(await first).toBe(true)
    expect(await second).toBe(true)
    expect(saved).toEqual(['男', '女'])
  })

  it('keeps a value whose save failed, says so, and saves it on the next flush', async () => {
    let fail = true
    const saved: string[] = []
    const states: string[] = []
    const saver = createAutosaver<string>({
      save: async (v) => {
        if (fail) throw new Error('offline')
        saved.push(v)
      },
      onState: (s) => states.push(s),
    })
    saver.change('回族')
    expect(await saver.flush()).toBe(false)
    expect(saver.dirty()).toBe(true)
    expect(saver.state()).toBe('error')
    fail = false
    expect(await saver.flush()).toBe(true)
    expect(saved).toEqual(['回族'])
    expect(states).toEqual(['pending', 'saving', 'error', 'saving', 'saved'])
  })

  it('puts the moment off while held (she is being asked before leaving), then saves', async () => {
    const saved: string[] = []
    let held = true
    const saver = createAutosaver<string>({ save: async (v) => void saved.push(v), delay: 1000, held: () => held })
    saver.change('满族')
    await vi.advanceTimersByTimeAsync(3500)
    expect(saved).toEqual([])
    expect(saver.dirty()).toBe(true)
    held = false
    await vi.advanceTimersByTimeAsync(1000)
    expect(saved).toEqual(['满族'])
  })
})

describe('localCopy', () => {
  it('keeps a value in this browser until it is cleared', () => {
    localCopy.write('zc.test', { ethnicity: '汉族' })
    expect(localCopy.read('zc.test')).toEqual({ ethnicity: '汉族' })
    localCopy.clear('zc.test')
    expect(localCopy.read('zc.test')).toBeNull()
  })
})
