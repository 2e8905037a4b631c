import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import LoginPage from './LoginPage.vue'
import { afterDebounce, mountWithApp, settle } from '@/test/mount'
import { api } from '@/lib/api/client'
import { clearTokens } from '@/lib/api/tokens'
import type { Me } from '@/lib/session'

const me: Me = {
  id: 'acct-1',
  username: 'hospital_reviewer',
  real_name: '王审核',
  role: 'reviewer',
  password_expired: false,
  totp_enabled: true,
  org: { id: 'org-1', kind: 'institution', name: '济阳区人民医院', region_code: '370115', uscc: '121200004013590816', verification: 'verified' },
}

const refused = (status: number, code: string, detail: string) =>
  ({ error: { code, detail }, response: new Response(null, { status }) }) as never

async function mountPage() {
  const empty = { template: '<div />' }
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/login', component: empty }, { path: '/:rest(.*)', component: empty }] })
  await router.push('/login')
  return { router, wrapper: mountWithApp(LoginPage, { attachTo: document.body, global: { plugins: [createPinia(), router] } }) }
}

afterEach(() => {
  vi.restoreAllMocks()
  clearTokens()
  document.body.innerHTML = ''
})

describe('LoginPage (登录)', () => {
  it('says how many tries are left before the lock, from the problem the server sent', async () => {
    vi.spyOn(api, 'POST').mockResolvedValueOnce({
      error: { code: 'invalid_credentials', detail: '账号或密码错误', remaining_attempts: 3 },
      response: new Response(null, { status: 401 }),
    } as never)
    const { wrapper } = await mountPage()
    await wrapper.find('input[name="account"]').setValue('whoever')
    await wrapper.find('input[name="password"]').setValue('Wrong#pass1')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="login-error"]').text()).toContain('账号或密码错误')
    expect(wrapper.find('[data-test="attempts-left"]').text()).toBe('还可尝试 3 次，连续失败将锁定账号')
  })

  it('asks for the 动态口令 when the server answers totp_required, and sends it with the same account and password', async () => {
    const post = vi
      .spyOn(api, 'POST')
      .mockResolvedValueOnce(refused(401, 'totp_required', '请输入动态口令'))
      .mockResolvedValueOnce(refused(401, 'invalid_totp', '动态口令不正确或已使用'))
      .mockResolvedValueOnce({
        data: { access_token: 'a', refresh_token: 'r', expires_in: 900, token_type: 'Bearer' },
        response: new Response(null, { status: 200 }),
      } as never)
    vi.spyOn(api, 'GET').mockResolvedValue({ data: me, response: new Response(null, { status: 200 }) } as never)
    const { router, wrapper } = await mountPage()
    expect(wrapper.find('input[name="totp_code"]').exists()).toBe(false)

    await wrapper.find('input[name="account"]').setValue('hospital_reviewer')
    await wrapper.find('input[name="password"]').setValue('Demo#2026zc')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(post).toHaveBeenLastCalledWith('/api/v1/auth/login', { body: { account: 'hospital_reviewer', password: 'Demo#2026zc' } })
    const code = wrapper.find<HTMLInputElement>('input[name="totp_code"]')
    expect(code.exists()).toBe(true)
    expect(code.attributes('autocomplete')).toBe('one-time-code')
    expect(code.attributes('inputmode')).toBe('numeric')
    expect(document.activeElement).toBe(code.element)
    expect(wrapper.find('[data-test="totp-hint"]').text()).toContain('6位动态口令')
    expect(wrapper.find('[data-test="login-error"]').exists()).toBe(false)
    expect(wrapper.find<HTMLInputElement>('input[name="password"]').element.value).toBe('Demo#2026zc')

    // A wrong code: said next to the code field; account and password stay.
    await code.setValue('111111')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(post).toHaveBeenLastCalledWith('/api/v1/auth/login', {
      body: { account: 'hospital_reviewer', password: 'Demo#2026zc', totp_code: '111111' },
    })
    await afterDebounce()
    expect(wrapper.find('[data-test="totp-item"] .el-form-item__error').text()).toContain('动态口令不正确或已使用')
    expect(wrapper.find<HTMLInputElement>('input[name="password"]').element.value).toBe('Demo#2026zc')

    await wrapper.find('input[name="totp_code"]').setValue('123 456')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(post).toHaveBeenLastCalledWith('/api/v1/auth/login', {
      body: { account: 'hospital_reviewer', password: 'Demo#2026zc', totp_code: '123456' },
    })
    expect(router.currentRoute.value.path).toBe('/reviews')
    wrapper.unmount()
  })

  it('keeps the lockout message and asks for no code on 423', async () => {
    vi.spyOn(api, 'POST').mockResolvedValue(refused(423, 'account_locked', '连续登录失败次数过多，账号已锁定，请15分钟后再试或找回密码'))
    const { wrapper } = await mountPage()
    await wrapper.find('input[name="account"]').setValue('hospital_reviewer')
    await wrapper.find('input[name="password"]').setValue('Demo#2026zc')
    await wrapper.find('form').trigger('submit')
    await settle()
    const alert = wrapper.find('[data-test="login-error"]')
    expect(alert.text()).toContain('账号已锁定')
    expect(alert.find('.el-alert--warning').exists()).toBe(true)
    expect(wrapper.find('input[name="totp_code"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
