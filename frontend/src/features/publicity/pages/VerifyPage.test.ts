import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import VerifyPage from './VerifyPage.vue'
import { mountWithApp, settle } from '@/test/mount'
import * as api from '../api/publicity'

function certificate(status: string): api.Certificate {
  return {
    number: 'ZC20261234567890',
    holder_name: '李护士',
    id_number_masked: '370126********1234',
    series_name: '卫生系列',
    specialty: '护理学',
    level: 'intermediate',
    level_label: '中级',
    title_name: '主管护师',
    committee_name: '卫生系列中级职称评审委员会',
    issued_on: '2026-12-14',
    status,
    revoked_reason: status === 'revoked' ? '经查申报材料造假' : null,
    revoked_at: null,
    verify_url: '/verify/ZC20261234567890',
    signature: 'c2ln',
  }
}

async function mountPage() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/verify/:number', component: VerifyPage }] })
  await router.push('/verify/ZC20261234567890')
  const wrapper = mountWithApp(VerifyPage, { attachTo: document.body, global: { plugins: [pinia, router] } })
  await settle()
  return wrapper
}

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

describe('VerifyPage (证书核验)', () => {
  it('shows the masked facts of a valid certificate from the QR address', async () => {
    const verify = vi.spyOn(api, 'verifyCertificate').mockResolvedValue(certificate('valid'))
    const wrapper = await mountPage()
    expect(verify).toHaveBeenCalledWith('ZC20261234567890')
    const text = wrapper.find('[data-test="verify-result"]').text()
    expect(text).toContain('证书有效')
    expect(text).toContain('370126********1234')
  })

  it('says a revoked certificate is revoked, with the reason', async () => {
    vi.spyOn(api, 'verifyCertificate').mockResolvedValue(certificate('revoked'))
    const wrapper = await mountPage()
    const text = wrapper.find('[data-test="verify-result"]').text()
    expect(text).toContain('证书已撤销')
    expect(text).toContain('经查申报材料造假')
  })
})
