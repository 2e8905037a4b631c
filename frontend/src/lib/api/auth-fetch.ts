import { accessToken, freshAccessToken, refreshOnce } from './tokens'

/**
 * Sends with a fresh Bearer token (refreshed first when about to expire) and, after a 401,
 * once more with a rotated token. `send` is called with the token to put on the request.
 */
export async function sendWithToken<T extends { status: number }>(send: (token: string | null) => Promise<T>): Promise<T> {
  const token = await freshAccessToken()
  const answer = await send(token)
  if (answer.status !== 401 || !token) return answer
  const rotated = accessToken() !== token || (await refreshOnce())
  const next = accessToken()
  if (!rotated || !next) return answer
  return send(next)
}

/** fetch for the API client: every request but the /auth endpoints goes through sendWithToken. */
export async function authFetch(request: Request): Promise<Response> {
  if (new URL(request.url, location.origin).pathname.startsWith('/api/v1/auth/')) return fetch(request)
  return sendWithToken((token) => {
    const attempt = request.clone()
    if (token) attempt.headers.set('Authorization', `Bearer ${token}`)
    return fetch(attempt)
  })
}
