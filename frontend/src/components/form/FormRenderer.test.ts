import { describe, expect, it } from 'vitest'
import FormRenderer from './FormRenderer.vue'
import { afterDebounce, mountWithApp } from '@/test/mount'
import { checkFields, cleanData, mergeData, type TemplateField } from '@/lib/form'

const fields: TemplateField[] = [
  { key: 'school', label: '毕业院校', type: 'text', required: true },
  { key: 'summary', label: '主要业绩', type: 'long_text', required: false, max: 500 },
  { key: 'years', label: '从事专业年限', type: 'number', required: true, min: 0, max: 60 },
  { key: 'graduated_on', label: '毕业时间', type: 'date', required: true },
  { key: 'year', label: '考核年度', type: 'year', required: false },
  { key: 'degree', label: '学历', type: 'select', required: true, options: ['大专', '本科', '硕士研究生', '博士研究生'] },
]

function mountForm(modelValue: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return mountWithApp(FormRenderer, { props: { fields, modelValue, ...extra } })
}

describe('FormRenderer', () => {
  it('renders one labelled item per template field, in order, with a red * on the required ones', () => {
    const wrapper = mountForm()
    const items = wrapper.findAll('.el-form-item')
    expect(items).toHaveLength(fields.length)
    expect(items.map((item) => item.find('.el-form-item__label').text())).toEqual(fields.map((f) => f.label))
    const required = items.map((item) => item.classes().includes('is-required'))
    expect(required).toEqual([true, false, true, true, false, true])
  })

  it('draws each field type with its own input', () => {
    const wrapper = mountForm()
    const item = (key: string) => wrapper.find(`[data-field="${key}"]`)
    expect(item('school').find('input').exists()).toBe(true)
    expect(item('summary').find('textarea').exists()).toBe(true)
    expect(item('years').find('.el-input-number').exists()).toBe(true)
    expect(item('graduated_on').find('.el-date-editor').exists()).toBe(true)
    expect(item('year').find('.el-date-editor').exists()).toBe(true)
    expect(item('degree').find('.el-select').exists()).toBe(true)
  })

  it('emits the whole data with the edited field changed', async () => {
    const wrapper = mountForm({ degree: '本科' })
    await wrapper.find('[data-field="school"] input').setValue('山东大学')
    const events = wrapper.emitted('update:modelValue')
    expect(events?.at(-1)?.[0]).toEqual({ degree: '本科', school: '山东大学' })
  })

  it('shows the browser check of every field under it and answers whether all is well', async () => {
    const wrapper = mountForm({ years: 80, degree: '中专' })
    const ok = (wrapper.vm as unknown as { validate: () => boolean }).validate()
    await afterDebounce()
    expect(ok).toBe(false)
    const error = (key: string) => wrapper.find(`[data-field="${key}"] .el-form-item__error`)
    expect(error('school').text()).toBe('请填写毕业院校')
    expect(error('years').text()).toBe('从事专业年限不能大于60')
    expect(error('graduated_on').text()).toBe('请选择毕业时间')
    expect(error('degree').text()).toBe('学历的取值不在可选范围内')
    expect(error('summary').exists()).toBe(false)
  })

  it('passes when every required field is filled', async () => {
    const wrapper = mountForm({ school: '山东大学', years: 10, graduated_on: '2012-07-01', degree: '本科' })
    expect((wrapper.vm as unknown as { validate: () => boolean }).validate()).toBe(true)
    await afterDebounce()
    expect(wrapper.findAll('.el-form-item__error')).toHaveLength(0)
  })

  it('shows the server’s message next to the field it names', async () => {
    const wrapper = mountForm({}, { errors: { graduated_on: '毕业时间不能早于出生日期' } })
    await afterDebounce()
    expect(wrapper.find('[data-field="graduated_on"] .el-form-item__error').text()).toBe('毕业时间不能早于出生日期')
    expect(wrapper.find('[data-field="graduated_on"]').classes()).toContain('has-server-error')
  })

  it('locks every input when disabled, and single keys when asked', () => {
    const all = mountForm({}, { disabled: true })
    expect(all.find('[data-field="school"] input').attributes('disabled')).toBeDefined()
    const some = mountForm({}, { lockedKeys: ['school'] })
    expect(some.find('[data-field="school"] input').attributes('disabled')).toBeDefined()
    expect(some.find('[data-field="summary"] textarea').attributes('disabled')).toBeUndefined()
  })
})

describe('form data helpers', () => {
  it('checks min, max, options and dates', () => {
    const problems = checkFields(fields, { school: '  ', years: -1, graduated_on: '2012/07/01', degree: '本科', year: 2020.5 })
    expect(problems).toEqual([
      { key: 'school', kind: 'required' },
      { key: 'years', kind: 'min' },
      { key: 'graduated_on', kind: 'date' },
      { key: 'year', kind: 'number' },
    ])
  })

  it('keeps only template keys, as numbers where the field is numeric', () => {
    expect(cleanData(fields, { school: '山大', years: '12', year: '2024', stray: 'x', summary: '' })).toEqual({
      school: '山大',
      years: 12,
      year: 2024,
    })
  })

  it('for a merge, names every template key and clears the empty ones with null', () => {
    expect(mergeData(fields, { school: '山大', years: '12', stray: 'x', summary: '' })).toEqual({
      school: '山大',
      years: 12,
      graduated_on: null,
      degree: null,
      year: null,
      summary: null,
    })
  })
})
