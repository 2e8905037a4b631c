import { describe, expect, it } from 'vitest'
import AccessLogTable from './AccessLogTable.vue'
import { mountWithApp, settle } from '@/test/mount'

const entry = (over: Record<string, unknown> = {}) => ({
  id: 'a1',
  org_id: 'org-1',
  org_name: '济阳区人民医院',
  account_name: '刘审核',
  username: 'hospital_reviewer',
  action: 'view',
  action_label: '查看申报',
  attachment_name: null,
  first_at: '2026-12-15T01:00:00Z',
  last_at: '2026-12-15T01:05:00Z',
  count: 3,
  ...over,
})

describe('AccessLogTable (访问记录)', () => {
  it('names the organisation, the real-name account, what was opened and how often', async () => {
    const wrapper = mountWithApp(AccessLogTable, {
      props: { entries: [entry(), entry({ id: 'a2', action: 'download', action_label: '下载材料', attachment_name: '学历证书.pdf', count: 1 })] },
    })
    await settle()
    const text = wrapper.find('[data-test="access-log"]').text()
    expect(text).toContain('济阳区人民医院')
    expect(text).toContain('刘审核（hospital_reviewer）')
    expect(text).toContain('查看申报')
    expect(text).toContain('下载材料：学历证书.pdf')
    expect(wrapper.findAll('[data-test="access-count"]')).toHaveLength(1)
  })

  it('says so when nobody has opened it yet', async () => {
    const wrapper = mountWithApp(AccessLogTable, { props: { entries: [] } })
    await settle()
    expect(wrapper.text()).toContain('暂无单位查看')
  })
})
