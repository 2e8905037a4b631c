// Whether the unified government platform login (山东省政务统一平台登录) is offered.
// GET /auth/sso/config is not in openapi/openapi.json yet; plain fetch until it lands.

export interface SsoConfig {
  enabled: boolean
  display_name: string
}

let cached: Promise<SsoConfig> | null = null

/** `enabled: false` when the server has no SSO configured, or no such endpoint at all (404). */
export function ssoConfig(): Promise<SsoConfig> {
  cached ??= fetch('/api/v1/auth/sso/config')
    .then(async (response) => {
      if (!response.ok) return { enabled: false, display_name: '' }
      const body = (await response.json()) as Partial<SsoConfig>
      return { enabled: body.enabled === true, display_name: body.display_name ?? '' }
    })
    .catch(() => {
      cached = null
      return { enabled: false, display_name: '' }
    })
  return cached
}
