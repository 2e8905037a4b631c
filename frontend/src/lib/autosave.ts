// Saving while she types: the latest value goes to the server a moment after the last change,
// one save at a time, and a failed save keeps the value pending (nothing is dropped).

export type AutosaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error'

export interface Autosaver<T> {
  /** A new value: saved after `delay` ms without another change. */
  change(value: T): void
  /** Saves what is pending now; true when everything typed is on the server. */
  flush(): Promise<boolean>
  /** Something typed is not on the server yet. */
  dirty(): boolean
  state(): AutosaveState
  /** Forgets what is pending (the page was left after the user said so). */
  cancel(): void
}

export function createAutosaver<T>(options: {
  save: (value: T) => Promise<void>
  delay?: number
  onState?: (state: AutosaveState, error?: unknown) => void
  /** While true the moment is put off (she is being asked whether to save before leaving). */
  held?: () => boolean
}): Autosaver<T> {
  const delay = options.delay ?? 1500
  let pending: { value: T } | null = null
  let running: Promise<void> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let current: AutosaveState = 'idle'
  let failed = false

  const set = (state: AutosaveState, error?: unknown) => {
    current = state
    options.onState?.(state, error)
  }

  async function flush(): Promise<boolean> {
    clearTimeout(timer)
    while (running) await running
    if (!pending) return !failed
    const { value } = pending
    pending = null
    set('saving')
    running = options.save(value).then(
      () => {
        failed = false
        set(pending ? 'pending' : 'saved')
      },
      (error: unknown) => {
        failed = true
        // A newer value typed meanwhile wins; otherwise this one stays to be saved again.
        pending ??= { value }
        set('error', error)
      },
    )
    await running
    running = null
    if (pending && !failed) return flush()
    return !failed && !pending
  }

  function schedule(): void {
    clearTimeout(timer)
    timer = setTimeout(() => (options.held?.() ? schedule() : void flush()), delay)
  }

  return {
    change(value: T) {
      pending = { value }
      set('pending')
      schedule()
    },
    flush,
    dirty: () => pending !== null || running !== null,
    state: () => current,
    cancel() {
      clearTimeout(timer)
      pending = null
    },
  }
}

/** A copy in this browser of what was typed, kept until the server has it (a crash loses nothing). */
export const localCopy = {
  read<T>(key: string): T | null {
    try {
      const raw = localStorage.getItem(key)
      return raw ? (JSON.parse(raw) as T) : null
    } catch {
      return null
    }
  },
  write(key: string, value: unknown): void {
    try {
      localStorage.setItem(key, JSON.stringify(value))
    } catch {
      // storage full or private mode: the server copy is the only one
    }
  },
  clear(key: string): void {
    try {
      localStorage.removeItem(key)
    } catch {
      // nothing kept
    }
  },
}
