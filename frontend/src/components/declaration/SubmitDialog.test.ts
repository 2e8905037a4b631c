import { describe, expect, it } from 'vitest'
import SubmitDialog from './SubmitDialog.vue'
import { mountWithApp, settle } from '@/test/mount'
import { declaration } from '@/test/fixtures'
import type { Declaration } from '@/lib/declaration'

const plan = {
  id: 'plan-1',
  name: '2026年度卫生、工程系列职称申报',
  bureau_org_id: 'hrss-1',
  bureau_name: '济阳区人社局',
  year: 2026,
  opens_at: '2026-11-01T08:00:00+08:00',
  closes_at: '2026-12-15T17:00:00+08:00',
  return_closes_at: '2026-12-20T17:00:00+08:00',
  planned_closes_at: '2026-12-15T17:00:00+08:00',
  extended: false,
  extension_reason: null,
  submit_until: '2026-12-15T17:00:00+08:00',
  seconds_to_submit_until: 3600,
  pledge_text: '本人郑重承诺：所提交的申报材料真实、准确、完整。',
  pledge_sha256: 'a'.repeat(64),
  exceptional_allowed: true,
} as NonNullable<Declaration['plan']>

describe('SubmitDialog (确认申报 with the 诚信承诺书)', () => {
  it('shows the pledge and confirms only once it is ticked, sending the hash of the text shown', async () => {
    const wrapper = mountWithApp(SubmitDialog, { props: { declaration: declaration({ plan }), visible: true }, attachTo: document.body })
    await settle()
    const dialog = document.querySelector('[data-test="submit-dialog"]') as HTMLElement
    expect(dialog.querySelector('[data-test="pledge-text"]')?.textContent).toContain('本人郑重承诺')
    const confirm = dialog.querySelector('[data-test="submit-confirm"]') as HTMLButtonElement
    expect(confirm.disabled).toBe(true)
    confirm.click()
    expect(wrapper.emitted('confirm')).toBeUndefined()

    const tick = dialog.querySelector('[data-test="pledge-accept"]') as HTMLElement
    ;((tick.tagName === 'INPUT' ? tick : tick.querySelector('input')) as HTMLInputElement).click()
    await settle()
    expect(confirm.disabled).toBe(false)
    confirm.click()
    expect(wrapper.emitted('confirm')).toEqual([['a'.repeat(64)]])
    wrapper.unmount()
  })

  it('asks for the tick again each time it opens', async () => {
    const wrapper = mountWithApp(SubmitDialog, { props: { declaration: declaration({ plan }), visible: true }, attachTo: document.body })
    await settle()
    const tick = document.querySelector('[data-test="pledge-accept"]') as HTMLElement
    ;((tick.tagName === 'INPUT' ? tick : tick.querySelector('input')) as HTMLInputElement).click()
    await settle()
    await wrapper.setProps({ visible: false })
    await wrapper.setProps({ visible: true })
    await settle()
    const confirm = document.querySelector('[data-test="submit-dialog"] [data-test="submit-confirm"]') as HTMLButtonElement
    expect(confirm.disabled).toBe(true)
    wrapper.unmount()
  })
})
