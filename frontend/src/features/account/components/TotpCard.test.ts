import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import TotpCard from './TotpCard.vue'
import { afterDebounce, mountWithApp, settle } from '@/test/mount'
import { ApiError } from '@/lib/problem'
import { useSession, type Me } from '@/lib/session'
import * as account from '../api/account'

const me: Me = {
  id: 'acct-1',
  username: 'hospital_reviewer',
  real_name: '王审核',
  role: 'reviewer',
  password_expired: false,
  totp_enabled: false,
}

async function mountCard() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const session = useSession()
  session.me = { ...me }
  const forget = vi.spyOn(session, 'forget')
  const empty = { template: '<div />' }
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/login', name: 'login', component: empty }, { path: '/account', component: empty }] })
  await router.push('/account')
  const wrapper = mountWithApp(TotpCard, { attachTo: document.body, global: { plugins: [pinia, router] } })
  return { wrapper, forget, router }
}

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

describe('TotpCard (动态口令（双重认证）)', () => {
  it('turns the second factor on: password, then the QR code and secret, then a code confirms it', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
    const begin = vi
      .spyOn(account, 'beginTotp')
      .mockRejectedValueOnce(ApiError.from(422, { code: 'validation', detail: '提交的信息有误', errors: [{ field: '/password', message: '密码不正确' }] }))
      .mockResolvedValueOnce({ secret, otpauth_url: `otpauth://totp/x:hospital_reviewer?secret=${secret}&issuer=x` })
    const confirm = vi.spyOn(account, 'confirmTotp').mockResolvedValue(undefined as never)
    const { wrapper, forget, router } = await mountCard()
    expect(wrapper.find('[data-test="totp-status"]').text()).toBe('未开启')

    await wrapper.find('[data-test="totp-enable"]').trigger('click')
    await wrapper.find('input[name="totp-password"]').setValue('Wrong#2026zc')
    await wrapper.find('form').trigger('submit')
    await settle()
    await afterDebounce()
    expect(begin).toHaveBeenLastCalledWith('Wrong#2026zc')
    expect(wrapper.find('.el-form-item.is-error').text()).toContain('密码不正确')
    expect(wrapper.find('[data-test="totp-qr"]').exists()).toBe(false)

    await wrapper.find('input[name="totp-password"]').setValue('Demo#2026zc')
    await wrapper.find('form').trigger('submit')
    // The QR code is drawn asynchronously (a PNG under jsdom).
    await vi.waitFor(() => expect(wrapper.find('[data-test="totp-qr"]').exists()).toBe(true))
    expect(begin).toHaveBeenLastCalledWith('Demo#2026zc')
    expect(wrapper.find('[data-test="totp-qr"]').attributes('src')).toMatch(/^data:image\/png;base64,/)
    expect(wrapper.find('[data-test="totp-secret"]').text()).toBe(secret)
    expect(wrapper.find('input[name="totp-password"]').exists()).toBe(false)

    await wrapper.find('input[name="totp-code"]').setValue('123456')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(confirm).toHaveBeenCalledTimes(1)
    expect(confirm).toHaveBeenCalledWith('123456')
    // The server ended every session: log in again, with a code, the account filled in.
    expect(forget).toHaveBeenCalled()
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.account).toBe('hospital_reviewer')
    wrapper.unmount()
  })
})
