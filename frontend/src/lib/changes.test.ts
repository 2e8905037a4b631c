import { describe, expect, it } from 'vitest'
import { changeSummary, type ReturnSnapshot } from './changes'
import { declaration, form } from '@/test/fixtures'
import type { Form, Item } from './declaration'

const twoSections: Form = {
  ...form,
  info_fields: [
    { key: 'ethnicity', label: '民族', type: 'text', required: true },
    { key: 'major', label: '所学专业', type: 'text', required: true },
  ],
  sections: [
    { code: 'education', name: '学历', min_items: 1, evidence_required: true, fields: [
      { key: 'school', label: '毕业院校', type: 'text', required: true },
      { key: 'graduation_date', label: '毕业时间', type: 'date', required: true },
    ] },
    { code: 'work', name: '工作简历', min_items: 1, evidence_required: false, fields: [
      { key: 'org_name', label: '工作单位', type: 'text', required: true },
      { key: 'hours', label: '学时', type: 'number', required: false },
    ] },
  ],
}

const file = (id: string, filename: string) => ({ id, filename, content_type: 'application/pdf', size: 10, sha256: 'x' })
const item = (id: string, section: string, data: Record<string, unknown>, files: ReturnType<typeof file>[] = []): Item => ({
  id, section, data, attachments: files, attachment_ids: files.map((f) => f.id), editable: false, deletable: false,
  changed_after_return: false, added_after_return: false, review: null,
})

const snapshot: ReturnSnapshot = {
  returned_at: '2026-11-30T02:00:00Z',
  org_id: 'org-1',
  info: { ethnicity: '汉族', major: '护理学' },
  items: [
    { id: 'edu', section: 'education', data: { school: '山东大学', graduation_date: '2012-06-30' }, attachments: [file('f1', '旧证书.pdf')] },
    { id: 'work-1', section: 'work', data: { org_name: '人民医院', hours: 32 }, attachments: [] },
    { id: 'work-2', section: 'work', data: { org_name: '中医医院' }, attachments: [] },
  ],
}

describe('changeSummary (本次修改)', () => {
  it('lists exactly the changed items, each with its values before and after and its files', () => {
    const now = declaration({
      info: { ethnicity: '汉族', major: '护理学' },
      items: [
        item('edu', 'education', { school: '山东第一医科大学', graduation_date: '2012-06-30' }, [file('f2', '新证书.pdf')]),
        // saved again with the same values (a number as text): not a change
        item('work-1', 'work', { org_name: '人民医院 ', hours: 32 }),
        item('work-2', 'work', { org_name: '中医医院' }),
        item('work-3', 'work', { org_name: '卫生院' }),
      ],
    })
    const summary = changeSummary(snapshot, now, twoSections)
    expect(summary.count).toBe(2)
    expect(summary.changes.map((c) => [c.kind, c.itemId])).toEqual([['modified', 'edu'], ['added', 'work-3']])
    const [edu, added] = summary.changes
    expect(edu?.sectionName).toBe('学历')
    expect(edu?.fields).toEqual([{ key: 'school', label: '毕业院校', before: '山东大学', after: '山东第一医科大学' }])
    expect(edu?.filesAdded).toEqual([{ id: 'f2', filename: '新证书.pdf' }])
    expect(edu?.filesRemoved).toEqual([{ id: 'f1', filename: '旧证书.pdf' }])
    expect(added?.fields).toEqual([{ key: 'org_name', label: '工作单位', before: '', after: '卫生院' }])
  })

  it('counts a changed 申报信息 once, first, and an item that is gone as removed', () => {
    const now = declaration({
      info: { ethnicity: '回族', major: '' },
      items: [item('edu', 'education', { school: '山东大学', graduation_date: '2012-06-30' }, [file('f1', '旧证书.pdf')]), item('work-1', 'work', { org_name: '人民医院', hours: 32 })],
    })
    const summary = changeSummary(snapshot, now, twoSections)
    expect(summary.changes.map((c) => [c.kind, c.itemId])).toEqual([['info', null], ['removed', 'work-2']])
    expect(summary.changes[0]?.fields).toEqual([
      { key: 'ethnicity', label: '民族', before: '汉族', after: '回族' },
      { key: 'major', label: '所学专业', before: '护理学', after: '' },
    ])
    expect(summary.count).toBe(2)
  })

  it('finds nothing when the declaration was never returned, or nothing changed', () => {
    const same = declaration({
      info: { ethnicity: '汉族', major: '护理学' },
      items: snapshot.items.map((i) => item(i.id, i.section, i.data as Record<string, unknown>, i.attachments.map((f) => file(f.id, f.filename)))),
    })
    expect(changeSummary(null, same, twoSections)).toEqual({ count: 0, changes: [] })
    expect(changeSummary(snapshot, same, twoSections).count).toBe(0)
  })
})
