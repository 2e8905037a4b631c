// Unified government platform login (山东省政务统一平台登录): the browser goes to the server, the
// provider comes back to the server, and the server sends the browser to /sso/complete,
// /sso/register or /login?sso_error=….
import { api, call, type Schemas } from '@/lib/api/client'

export { ssoConfig } from '@/lib/sso-config'
export type SsoRegistration = Schemas['SsoRegistrationView']
export type SsoTokens = Schemas['SsoLoginResponse']
export type SsoOrgRegistration = Schemas['SsoRegisterOrgRequest']

/** Where the browser goes to start the login; the server redirects to the provider. */
export function ssoLoginUrl(returnTo?: string): string {
  const query = returnTo && returnTo.startsWith('/') ? `?return_to=${encodeURIComponent(returnTo)}` : ''
  return `/api/v1/auth/sso/login${query}`
}

export const ssoExchange = (code: string) => call(api.POST('/api/v1/auth/sso/exchange', { body: { code } }))
export const ssoRegistration = (ticket: string) =>
  call(api.GET('/api/v1/auth/sso/registration', { params: { query: { ticket } } }))
export const ssoRegister = (body: Schemas['SsoRegisterRequest']) => call(api.POST('/api/v1/auth/sso/register', { body }))
export const ssoRegisterOrg = (body: SsoOrgRegistration) => call(api.POST('/api/v1/auth/sso/register/org', { body }))
