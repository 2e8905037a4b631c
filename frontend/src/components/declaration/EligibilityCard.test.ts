import { afterEach, describe, expect, it, vi } from 'vitest'
import EligibilityCard from './EligibilityCard.vue'
import { mountWithApp, settle } from '@/test/mount'
import { declaration } from '@/test/fixtures'
import type { Declaration } from '@/lib/declaration'
import * as api from '@/features/declarations/api/declarations'

afterEach(() => vi.restoreAllMocks())

const rules: Declaration['eligibility'] = [
  { code: 'title_years', rule: '须取得中级职称后任职满5年（任职年限计算至2026年12月31日）', passed: true, field: null, reason: null, explanation: null },
  { code: 'profession_years', rule: '须从事本专业工作满10年', passed: false, field: '/info/profession_years', reason: '从事本专业8年', explanation: null },
]
const plan = { exceptional_allowed: true, pledge_text: '', pledge_sha256: '' } as unknown as NonNullable<Declaration['plan']>

describe('EligibilityCard (资格条件 and 破格)', () => {
  it('lists every rule in words with whether it is met and why not', () => {
    const wrapper = mountWithApp(EligibilityCard, { props: { declaration: declaration({ eligibility: rules, plan }), editable: true } })
    const items = wrapper.findAll('[data-test="eligibility-rule"]')
    expect(items).toHaveLength(2)
    expect(items[0]!.text()).toContain('✓')
    expect(items[1]!.text()).toContain('须从事本专业工作满10年')
    expect(items[1]!.text()).toContain('从事本专业8年')
    expect(items[1]!.text()).toContain('✗')
    expect(wrapper.find('[data-test="exceptional-switch"]').exists()).toBe(true)
  })

  it('shows nothing when no rules apply', () => {
    const wrapper = mountWithApp(EligibilityCard, { props: { declaration: declaration() } })
    expect(wrapper.find('[data-test="eligibility"]').exists()).toBe(false)
  })

  it('asks a 破格 applicant to explain each rule not met and saves the explanations', async () => {
    const saved = declaration({ eligibility: rules, plan, exceptional: true })
    const update = vi.spyOn(api, 'updateDeclaration').mockResolvedValue(saved)
    const wrapper = mountWithApp(EligibilityCard, {
      props: { declaration: declaration({ eligibility: rules, plan, exceptional: true }), editable: true, errors: { profession_years: '破格申报须说明理由' } },
    })
    expect(wrapper.find('[data-test="explanation-title_years"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('破格申报须说明理由')
    const box = wrapper.find('[data-test="explanation-profession_years"]')
    const textarea = box.element.tagName === 'TEXTAREA' ? box : box.find('textarea')
    await textarea.setValue('获省级技术能手称号')
    await wrapper.find('[data-test="save-explanations"]').trigger('click')
    await settle()
    expect(update).toHaveBeenCalledWith('decl-1', { exceptional_explanations: { profession_years: '获省级技术能手称号' } })
    expect(wrapper.emitted('saved')).toEqual([[saved]])
  })

  it('shows a reviewer the explanation, read only', () => {
    const explained = rules.map((r) => (r.passed ? r : { ...r, explanation: '获省级技术能手称号' }))
    const wrapper = mountWithApp(EligibilityCard, { props: { declaration: declaration({ eligibility: explained, plan, exceptional: true, editable: false }) } })
    expect(wrapper.find('[data-test="exceptional-tag"]').exists()).toBe(true)
    expect(wrapper.find('[data-test="explanation"]').text()).toContain('获省级技术能手称号')
    expect(wrapper.find('textarea').exists()).toBe(false)
    expect(wrapper.find('[data-test="exceptional-switch"]').exists()).toBe(false)
  })
})
