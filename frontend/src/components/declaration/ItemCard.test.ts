import { describe, expect, it } from 'vitest'
import ItemCard from './ItemCard.vue'
import { mountWithApp } from '@/test/mount'
import type { Item, Section } from '@/lib/declaration'

const section: Section = {
  code: 'education',
  name: '学历',
  min_items: 1,
  evidence_required: true,
  fields: [
    { key: 'school', label: '毕业院校', type: 'text', required: true },
    { key: 'graduation_date', label: '毕业时间', type: 'date', required: true },
  ],
}

function item(extra: Partial<Item> = {}): Item {
  return {
    id: 'item-1',
    section: 'education',
    data: { school: '山东大学' },
    attachment_ids: [],
    attachments: [],
    editable: true,
    deletable: false,
    changed_after_return: false,
    added_after_return: false,
    ...extra,
  }
}

describe('ItemCard', () => {
  it('shows each value under its label, and a dash for what is empty', () => {
    const wrapper = mountWithApp(ItemCard, { props: { item: item(), section } })
    expect(wrapper.find('[data-field="school"]').text()).toBe('山东大学')
    expect(wrapper.find('[data-field="graduation_date"]').text()).toBe('—')
  })

  it('marks a flagged item 修改 with the reviewer’s opinion, and an added one 新增', () => {
    const flagged = mountWithApp(ItemCard, { props: { item: item({ review: { flag: 'modify', opinion: '请上传清晰的学历证书' } }), section } })
    expect(flagged.find('[data-test="flag-modify"]').text()).toBe('修改')
    expect(flagged.find('[data-test="item-opinion"]').text()).toContain('请上传清晰的学历证书')
    expect(flagged.find('[data-test="flag-add"]').exists()).toBe(false)
    const added = mountWithApp(ItemCard, { props: { item: item({ added_after_return: true }), section } })
    expect(added.find('[data-test="flag-add"]').text()).toBe('新增')
    expect(added.find('[data-test="flag-modify"]').exists()).toBe(false)
  })

  it('shows the problems of 确认申报 next to the field and the evidence they name', () => {
    const wrapper = mountWithApp(ItemCard, {
      props: { item: item(), section, problems: { fields: { graduation_date: '请填写毕业时间' }, attachments: '请上传“学历”的证明材料' } },
    })
    expect(wrapper.find('[data-field="graduation_date"] [role="alert"]').text()).toBe('请填写毕业时间')
    expect(wrapper.find('[data-field="school"] [role="alert"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="attachments-error"]').text()).toBe('请上传“学历”的证明材料')
    expect(wrapper.classes()).toContain('has-problems')
  })
})
