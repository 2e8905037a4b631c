import { api, call, type Schemas } from '@/lib/api/client'

export type RegisterPerson = Schemas['RegisterPersonRequest']
export type RegisterOrg = Schemas['RegisterOrgRequest']

export const registerPerson = (body: RegisterPerson) => call(api.POST('/api/v1/auth/register/person', { body }))
export const registerOrg = (body: RegisterOrg) => call(api.POST('/api/v1/auth/register/org', { body }))
export const forgotPassword = (account: string) => call(api.POST('/api/v1/auth/password/forgot', { body: { account } }))
export const resetPassword = (account: string, code: string, newPassword: string) =>
  call(api.POST('/api/v1/auth/password/reset', { body: { account, code, new_password: newPassword } }))
export const forgotUsername = (phone: string) => call(api.POST('/api/v1/auth/username/forgot', { body: { phone } }))
export const recoverUsername = (phone: string, code: string) =>
  call(api.POST('/api/v1/auth/username/recover', { body: { phone, code } }))
