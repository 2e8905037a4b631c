import { api, call, type Schemas } from '@/lib/api/client'

export type SsoBinding = Schemas['SsoBindingView']

export const changePassword = (currentPassword: string, newPassword: string) =>
  call(api.POST('/api/v1/me/password', { body: { current_password: currentPassword, new_password: newPassword } }))

/** The caller's binding to the unified platform, or null when not bound (404). */
export async function ssoBinding(): Promise<SsoBinding | null> {
  const { data, response } = await api.GET('/api/v1/me/sso-binding')
  return response.ok && data ? data : null
}

export const removeSsoBinding = () => call(api.DELETE('/api/v1/me/sso-binding'))

export type TotpEnrollment = Schemas['TotpEnrollment']

/** Starts adding the 动态口令: a new secret for the authenticator app, in force once confirmed. */
export const beginTotp = (password: string) => call(api.POST('/api/v1/me/totp', { body: { password } }))
export const confirmTotp = (code: string) => call(api.POST('/api/v1/me/totp/confirm', { body: { code } }))
export const disableTotp = (password: string, code: string) =>
  call(api.POST('/api/v1/me/totp/disable', { body: { password, code } }))
