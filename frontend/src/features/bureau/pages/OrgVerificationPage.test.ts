import { afterEach, describe, expect, it, vi } from 'vitest'
import { ElMessageBox } from 'element-plus'
import OrgVerificationPage from './OrgVerificationPage.vue'
import { afterDebounce, mountWithApp, settle } from '@/test/mount'
import * as orgs from '../api/orgs'

const waiting = (id: string, name: string) => ({
  id,
  name,
  uscc: '11370126MB0000008M',
  kind: 'authority',
  kind_label: '主管部门',
  region_code: '370126',
  address: '山东省济南市济阳区',
  contact_name: '王主任',
  contact_phone: '13800000202',
  status: 'active',
  verification: 'unverified',
  verification_label: '未认证',
  verification_reason: null,
  verified_at: null,
  created_at: '2026-11-20T02:00:00Z',
})

function serve() {
  return vi.spyOn(orgs, 'listOverseenOrgs').mockResolvedValue({
    items: [waiting('org-1', '济阳区卫生健康局'), waiting('org-2', '济阳区卫生健康委员会')],
    total: 2,
    page: 1,
    page_size: 20,
  } as never)
}

afterEach(() => {
  vi.restoreAllMocks()
  localStorage.clear()
  document.body.innerHTML = ''
})

describe('OrgVerificationPage (单位认证审核)', () => {
  it('lists the organisations waiting, with what a clerk checks, and verifies one', async () => {
    const list = serve()
    const verify = vi.spyOn(orgs, 'verifyOrg').mockResolvedValue({} as never)
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const wrapper = mountWithApp(OrgVerificationPage, { attachTo: document.body })
    await settle()
    expect(list).toHaveBeenLastCalledWith('unverified', 1, 20)
    const table = wrapper.find('[data-test="org-verification-table"]').text()
    expect(table).toContain('济阳区卫生健康委员会')
    expect(table).toContain('11370126MB0000008M')
    expect(table).toContain('山东省济南市济阳区')
    expect(table).toContain('未认证')

    await wrapper.findAll('[data-test="org-verify"]')[0]!.trigger('click')
    await settle()
    expect(verify).toHaveBeenCalledWith('org-1')
    expect(list).toHaveBeenCalledTimes(2)
    wrapper.unmount()
  })

  it('refuses only with a reason', async () => {
    serve()
    const refuse = vi.spyOn(orgs, 'refuseOrg').mockResolvedValue({} as never)
    const wrapper = mountWithApp(OrgVerificationPage, { attachTo: document.body })
    await settle()
    await wrapper.findAll('[data-test="org-refuse"]')[1]!.trigger('click')
    await settle()
    document.querySelector<HTMLElement>('[data-test="org-refuse-confirm"]')!.click()
    await settle()
    await afterDebounce()
    expect(refuse).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('请输入认证不通过的原因')

    const reason = document.querySelector<HTMLTextAreaElement>('textarea[data-test="org-refuse-reason"], [data-test="org-refuse-reason"] textarea')!
    reason.value = '冒用名称'
    reason.dispatchEvent(new Event('input'))
    await settle()
    document.querySelector<HTMLElement>('[data-test="org-refuse-confirm"]')!.click()
    await settle()
    expect(refuse).toHaveBeenCalledWith('org-2', '冒用名称')
    wrapper.unmount()
  })

  it('shows the temporary password of 单位密码重置 once', async () => {
    serve()
    const reset = vi
      .spyOn(orgs, 'resetOrgPassword')
      .mockResolvedValue({ username: 'jiyang_health', temporary_password: 'Zc-abcdefghijklmnop' } as never)
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const wrapper = mountWithApp(OrgVerificationPage, { attachTo: document.body })
    await settle()
    await wrapper.findAll('[data-test="org-reset-password"]')[0]!.trigger('click')
    await settle()
    expect(reset).toHaveBeenCalledWith('org-1')
    const shown = document.querySelector('[data-test="org-temporary-password"]')!.textContent
    expect(shown).toContain('jiyang_health')
    expect(shown).toContain('Zc-abcdefghijklmnop')
    wrapper.unmount()
  })
})
