// Sample server answers for component tests.
import type { Declaration, Form } from '@/lib/declaration'

export const form: Form = {
  series: 'health',
  template_id: 'tpl-1',
  version: 1,
  info_fields: [
    { key: 'school', label: '毕业院校', type: 'text', required: true },
    { key: 'remark', label: '备注', type: 'text' },
  ],
  sections: [
    {
      code: 'education',
      name: '学历',
      min_items: 1,
      evidence_required: false,
      fields: [{ key: 'school', label: '毕业院校', type: 'text', required: true }],
    },
  ],
}

export function declaration(extra: Partial<Declaration> = {}): Declaration {
  return {
    id: 'decl-1',
    applicant: { name: '张三', id_number: '370181199001010024', phone: '13900000100' },
    basic_confirmed: true,
    created_at: '2026-11-01T02:00:00Z',
    editable: true,
    info: { school: '山东大学', remark: '备注一' },
    info_unlocked: false,
    items: [
      { id: 'item-1', section: 'education', data: { school: '山东大学' }, attachment_ids: [], attachments: [], editable: true, deletable: true, changed_after_return: false, added_after_return: false },
      { id: 'item-2', section: 'education', data: { school: '北京大学' }, attachment_ids: [], attachments: [], editable: true, deletable: true, changed_after_return: false, added_after_return: false },
    ],
    kind: 'title',
    kind_label: '职称评审',
    level: 'intermediate',
    level_label: '中级',
    open_sections: [],
    org_id: 'org-1',
    org_name: '济阳区人民医院',
    series: 'health',
    series_name: '卫生',
    specialty: '护理',
    status: 'draft',
    status_label: '草稿',
    template_id: 'tpl-1',
    template_version: 1,
    title_name: '主管护师',
    updated_at: '2026-11-01T02:00:00Z',
    version: 3,
    year: 2026,
    exceptional: false,
    eligibility: [],
    ...extra,
  }
}
