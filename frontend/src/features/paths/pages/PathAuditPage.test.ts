import { afterEach, describe, expect, it, vi } from 'vitest'
import PathAuditPage from './PathAuditPage.vue'
import { mountWithApp, settle } from '@/test/mount'
import * as paths from '../api/paths'

/** 45 paths waiting to be audited, served a page at a time. */
function serve() {
  return vi.spyOn(paths, 'listPathAudits').mockImplementation(async (_status, page, pageSize) => {
    const first = (page - 1) * pageSize
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, 45 - first)) }, (_, i) => ({
      id: `path-${first + i + 1}`,
      org: { id: `org-${first + i + 1}`, kind: 'institution', name: `单位${first + i + 1}` },
      parent: { id: 'org-p', kind: 'authority', name: '济阳区卫生健康局' },
      series: 'health',
      series_name: '卫生',
      level: 'intermediate',
      level_label: '中级',
      title_name: '主管护师',
      status: 'pending',
      status_label: '待审核',
      created_at: '2026-11-20T02:00:00Z',
    }))
    return { items, total: 45, page, page_size: pageSize } as Awaited<ReturnType<typeof paths.listPathAudits>>
  })
}

afterEach(() => {
  vi.restoreAllMocks()
  localStorage.clear()
})

describe('PathAuditPage (路径审核)', () => {
  it('pages through more paths than fit on one page, and another status starts again at page 1', async () => {
    const list = serve()
    const wrapper = mountWithApp(PathAuditPage, { attachTo: document.body })
    await settle()
    expect(list).toHaveBeenLastCalledWith('pending', 1, 20)
    expect(wrapper.find('[data-test="path-audits-pager"]').text()).toContain('45')

    await wrapper.find('[data-test="path-audits-pager"] .btn-next').trigger('click')
    await settle()
    expect(list).toHaveBeenLastCalledWith('pending', 2, 20)
    expect(wrapper.find('[data-test="path-audits-table"]').text()).toContain('单位21')

    list.mockClear()
    await wrapper.find('[data-test="path-audit-status"]').trigger('click')
    await settle()
    const all = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find((el) => el.textContent?.trim() === '全部')
    all!.click()
    await settle()
    expect(list).toHaveBeenCalledTimes(1)
    expect(list).toHaveBeenLastCalledWith(undefined, 1, 20)
    wrapper.unmount()
  })
})
