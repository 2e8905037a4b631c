// Unified government platform login (山东省政务统一平台登录).
// The endpoints are not in openapi/openapi.json yet (another engineer is building them), so these
// calls go through plain fetch; switch them to the typed client once `make client` brings them.
import { ApiError, type Problem } from '@/lib/problem'
import type { TokenAnswer } from '@/lib/api/tokens'
export { ssoConfig } from '@/lib/sso-config'

export interface SsoRegistration {
  kind: 'person' | 'org'
  real_name: string
  id_number_masked?: string | null
  uscc?: string | null
  org_name?: string | null
}

async function send<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response
  try {
    response = await fetch(`/api/v1${path}`, init)
  } catch (cause) {
    throw ApiError.network(cause)
  }
  const text = await response.text()
  let body: unknown = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  if (!response.ok) throw ApiError.from(response.status, body as Partial<Problem>)
  return body as T
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/** Where the browser goes to start the login; the server redirects to the provider. */
export function ssoLoginUrl(returnTo?: string): string {
  const query = returnTo && returnTo.startsWith('/') ? `?return_to=${encodeURIComponent(returnTo)}` : ''
  return `/api/v1/auth/sso/login${query}`
}

export type SsoTokens = TokenAnswer & { return_to?: string }

export const ssoExchange = (code: string) => send<SsoTokens>('/auth/sso/exchange', json({ code }))

export const ssoRegistration = (ticket: string) =>
  send<SsoRegistration>(`/auth/sso/registration?ticket=${encodeURIComponent(ticket)}`)

export const ssoRegister = (body: { ticket: string; username: string; password: string; phone: string }) =>
  send<SsoTokens>('/auth/sso/register', json(body))

export interface SsoOrgRegistration {
  ticket: string
  kind: 'enterprise' | 'institution' | 'authority' | 'township'
  region_code: string
  address: string
  contact_name: string
  contact_phone: string
  admin_username: string
  admin_password: string
  /** only when the platform sent no organisation name */
  name?: string | null
}

export const ssoRegisterOrg = (body: SsoOrgRegistration) => send<SsoTokens>('/auth/sso/register/org', json(body))
