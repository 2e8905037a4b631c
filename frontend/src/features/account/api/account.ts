import { api, call } from '@/lib/api/client'
import { authFetch } from '@/lib/api/auth-fetch'
import { ApiError, type Problem } from '@/lib/problem'

export const changePassword = (currentPassword: string, newPassword: string) =>
  call(api.POST('/api/v1/me/password', { body: { current_password: currentPassword, new_password: newPassword } }))

// The SSO binding endpoints are not in openapi/openapi.json yet; plain fetch until they land.
export interface SsoBinding {
  issuer: string
  subject: string
  bound_at: string
}

/** The caller's binding, or null when not bound (404). */
export async function ssoBinding(): Promise<SsoBinding | null> {
  const response = await authFetch(new Request('/api/v1/me/sso-binding'))
  if (response.status === 404) return null
  if (!response.ok) throw ApiError.from(response.status, (await response.json().catch(() => ({}))) as Partial<Problem>)
  return (await response.json()) as SsoBinding
}

export async function removeSsoBinding(): Promise<void> {
  const response = await authFetch(new Request('/api/v1/me/sso-binding', { method: 'DELETE' }))
  if (!response.ok) throw ApiError.from(response.status, (await response.json().catch(() => ({}))) as Partial<Problem>)
}
