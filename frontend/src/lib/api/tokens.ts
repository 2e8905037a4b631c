// The session's tokens. Kept per browser tab (sessionStorage): refresh tokens rotate and a reused
// one revokes the whole family, so two tabs must never share and race one refresh token.

export interface TokenAnswer {
  access_token: string
  refresh_token: string
  expires_in: number
}

interface Stored {
  access: string
  refresh: string
  expiresAt: number
}

const KEY = 'zc.session'

function read(): Stored | null {
  try {
    const raw = sessionStorage.getItem(KEY)
    return raw ? (JSON.parse(raw) as Stored) : null
  } catch {
    return null
  }
}

let current: Stored | null = read()
const listeners = new Set<() => void>()

export function saveTokens(answer: TokenAnswer): void {
  current = {
    access: answer.access_token,
    refresh: answer.refresh_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
  }
  sessionStorage.setItem(KEY, JSON.stringify(current))
}

/** Forgets the tokens; `lost` tells listeners the session ended without the user asking. */
export function clearTokens(lost = false): void {
  const had = current !== null
  current = null
  sessionStorage.removeItem(KEY)
  if (had && lost) listeners.forEach((listener) => listener())
}

/** Called when the session ends without the user asking (refresh refused). */
export function onSessionLost(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function accessToken(): string | null {
  return current?.access ?? null
}

export function refreshToken(): string | null {
  return current?.refresh ?? null
}

/** True when the access token is missing or expires within the next 30 seconds. */
export function accessExpiring(): boolean {
  return !current || current.expiresAt - Date.now() < 30_000
}

let refreshing: Promise<boolean> | null = null

/**
 * Rotates the refresh token once, however many requests ask at the same time: they all share
 * one promise, because the old refresh token is dead after the first use.
 */
export function refreshOnce(): Promise<boolean> {
  if (!refreshing) {
    refreshing = doRefresh().finally(() => {
      refreshing = null
    })
  }
  return refreshing
}

async function doRefresh(): Promise<boolean> {
  const token = refreshToken()
  if (!token) return false
  try {
    const response = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    })
    if (!response.ok) {
      // A network hiccup keeps the session; a refused token ends it.
      if (response.status === 401 || response.status === 403 || response.status === 422) clearTokens(true)
      return false
    }
    saveTokens((await response.json()) as TokenAnswer)
    return true
  } catch {
    return false
  }
}

/** A token fresh enough to send, refreshing first when it is about to expire. */
export async function freshAccessToken(): Promise<string | null> {
  if (refreshToken() && accessExpiring()) await refreshOnce()
  return accessToken()
}
