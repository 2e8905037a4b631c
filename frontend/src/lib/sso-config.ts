// Whether the unified government platform login (山东省政务统一平台登录) is offered.
import { api, type Schemas } from './api/client'

export type SsoConfig = Schemas['SsoConfigResponse']

const off: SsoConfig = { enabled: false, display_name: '' }
let cached: Promise<SsoConfig> | null = null

/** `enabled: false` when the server has no SSO configured, or answers with an error (older servers: 404). */
export function ssoConfig(): Promise<SsoConfig> {
  cached ??= api
    .GET('/api/v1/auth/sso/config')
    .then(({ data }) => data ?? off)
    .catch(() => {
      cached = null
      return off
    })
  return cached
}
