import { accessToken, freshAccessToken, refreshOnce } from './tokens'

/**
 * fetch with the Bearer token: refreshes a token about to expire before sending, and retries
 * once after a 401 with a rotated token. The /auth endpoints go out untouched.
 */
export async function authFetch(request: Request): Promise<Response> {
  if (new URL(request.url, location.origin).pathname.startsWith('/api/v1/auth/')) return fetch(request)
  const retry = request.clone()
  const token = await freshAccessToken()
  if (token) request.headers.set('Authorization', `Bearer ${token}`)
  const response = await fetch(request)
  if (response.status !== 401 || !token) return response
  const rotated = accessToken() !== token || (await refreshOnce())
  const next = accessToken()
  if (!rotated || !next) return response
  retry.headers.set('Authorization', `Bearer ${next}`)
  return fetch(retry)
}
