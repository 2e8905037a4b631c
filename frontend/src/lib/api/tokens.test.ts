import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { accessToken, clearTokens, onSessionLost, refreshOnce, refreshToken, saveTokens } from './tokens'
import { authFetch } from './auth-fetch'

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

beforeEach(() => {
  clearTokens()
  saveTokens({ access_token: 'access-1', refresh_token: 'refresh-1', expires_in: 900 })
})
afterEach(() => vi.unstubAllGlobals())

describe('refreshOnce', () => {
  it('rotates the refresh token once however many requests ask at the same time', async () => {
    const fetchMock = vi.fn(async () => json({ access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 900 }))
    vi.stubGlobal('fetch', fetchMock)
    const results = await Promise.all([refreshOnce(), refreshOnce(), refreshOnce()])
    expect(results).toEqual([true, true, true])
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(accessToken()).toBe('access-2')
    expect(refreshToken()).toBe('refresh-2')
  })

  it('ends the session when the server refuses the refresh token, and says so', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ code: 'invalid_token' }, 401)))
    const lost = vi.fn()
    const stop = onSessionLost(lost)
    expect(await refreshOnce()).toBe(false)
    expect(accessToken()).toBeNull()
    expect(lost).toHaveBeenCalledTimes(1)
    stop()
  })

  it('keeps the session through a network failure', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))))
    expect(await refreshOnce()).toBe(false)
    expect(refreshToken()).toBe('refresh-1')
  })
})

describe('authFetch', () => {
  it('sends the Bearer token, and after a 401 retries once with a rotated one', async () => {
    const seen: Array<string | null> = []
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      const request = input as Request
      if (request.url.endsWith('/api/v1/auth/refresh')) {
        return json({ access_token: 'access-2', refresh_token: 'refresh-2', expires_in: 900 })
      }
      seen.push(request.headers.get('Authorization'))
      return request.headers.get('Authorization') === 'Bearer access-2' ? json({ ok: true }) : json({}, 401)
    })
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) =>
      fetchMock(input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init)),
    )
    const response = await authFetch(new Request('http://localhost/api/v1/me'))
    expect(response.status).toBe(200)
    expect(seen).toEqual(['Bearer access-1', 'Bearer access-2'])
  })

  it('leaves the /auth endpoints alone (a wrong password is not a reason to refresh)', async () => {
    const fetchMock = vi.fn(async () => json({ code: 'invalid_credentials' }, 401))
    vi.stubGlobal('fetch', fetchMock)
    const response = await authFetch(new Request('http://localhost/api/v1/auth/login', { method: 'POST', body: '{}' }))
    expect(response.status).toBe(401)
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(accessToken()).toBe('access-1')
  })
})
