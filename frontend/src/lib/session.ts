import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, call, type Schemas } from './api/client'
import { clearTokens, refreshToken, saveTokens, accessToken, type TokenAnswer } from './api/tokens'

export type Me = Schemas['MeResponse']
export type Role = Schemas['Role']

/** Who is logged in; loaded from GET /me after login and on a page reload. */
export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null)
  let loading: Promise<Me | null> | null = null

  const role = computed(() => me.value?.role ?? null)
  const orgKind = computed(() => me.value?.org?.kind ?? null)
  const isPerson = computed(() => role.value === 'person')
  const isOrgAdmin = computed(() => role.value === 'org_admin')
  const isReviewer = computed(() => role.value === 'reviewer')
  const isOrgMember = computed(() => isOrgAdmin.value || isReviewer.value)
  const isBureau = computed(() => isOrgMember.value && orgKind.value === 'hrss')

  async function load(force = false): Promise<Me | null> {
    if (!accessToken() && !refreshToken()) {
      me.value = null
      return null
    }
    if (me.value && !force) return me.value
    loading ??= call(api.GET('/api/v1/me'))
      .then((answer) => (me.value = answer))
      .catch(() => {
        me.value = null
        return null
      })
      .finally(() => (loading = null))
    return loading
  }

  async function signIn(tokens: TokenAnswer): Promise<Me | null> {
    saveTokens(tokens)
    return load(true)
  }

  /** `totpCode` is the 动态口令, sent once the server answered `totp_required`. */
  async function login(account: string, password: string, totpCode?: string): Promise<Me | null> {
    const body = totpCode ? { account, password, totp_code: totpCode } : { account, password }
    const tokens = await call(api.POST('/api/v1/auth/login', { body }))
    return signIn(tokens)
  }

  async function logout(): Promise<void> {
    const token = refreshToken()
    if (token) await api.POST('/api/v1/auth/logout', { body: { refresh_token: token } }).catch(() => undefined)
    forget()
  }

  /** Drops the session locally (after logout, or when the server refused the refresh token). */
  function forget(): void {
    clearTokens()
    me.value = null
  }

  return { me, role, orgKind, isPerson, isOrgAdmin, isReviewer, isOrgMember, isBureau, load, login, signIn, logout, forget }
})
