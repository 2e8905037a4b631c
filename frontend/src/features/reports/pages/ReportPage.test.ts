import { afterEach, describe, expect, it, vi } from 'vitest'
import { ElMessageBox } from 'element-plus'
import ReportPage from './ReportPage.vue'
import { mountWithApp, settle } from '@/test/mount'
import { ApiError } from '@/lib/problem'
import * as reports from '../api/reports'

type Row = reports.ReviewRow

/** 120 declarations approved here and not yet reported (通过未上报), served a page at a time. */
function row(n: number): Row {
  return {
    id: `decl-${n}`,
    applicant_name: `申报人${n}`,
    id_number_masked: '3701**********0024',
    phone_masked: '139****0100',
    year: 2026,
    kind: 'title',
    kind_label: '职称评审',
    series: 'health',
    series_name: '卫生',
    level: 'intermediate',
    level_label: '中级',
    title_name: '主管护师',
    specialty: '护理',
    org_id: 'org-1',
    org_name: '济阳区人民医院',
    standing: 'approved',
    standing_label: '通过未上报',
    resubmitted: false,
    status: 'approved',
    submitted_at: '2026-11-20T02:00:00Z',
    updated_at: '2026-11-21T02:00:00Z',
  }
}

function serve() {
  return vi.spyOn(reports, 'reportable').mockImplementation(async (_query, page, pageSize) => {
    const first = (page - 1) * pageSize
    const items = Array.from({ length: Math.max(0, Math.min(pageSize, 120 - first)) }, (_, i) => row(first + i + 1))
    return { items, total: 120, page, page_size: pageSize } as Awaited<ReturnType<typeof reports.reportable>>
  })
}

const tick = (wrapper: ReturnType<typeof mountWithApp>, index: number) =>
  wrapper.findAll('.el-table__body tr')[index]!.find('.el-checkbox input').trigger('click')

afterEach(() => {
  vi.restoreAllMocks()
  localStorage.clear()
})

describe('ReportPage (职称申报数据上报)', () => {
  it('pages through what may be reported and reports the ticks of several pages in one batch', async () => {
    const reportable = serve()
    vi.spyOn(reports, 'listReports').mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 } as never)
    const send = vi.spyOn(reports, 'sendReport').mockResolvedValue({ id: 'r1', count: 2, to_org_name: '济阳区卫生健康局' } as never)
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const wrapper = mountWithApp(ReportPage, { attachTo: document.body })
    await settle()
    expect(reportable).toHaveBeenLastCalledWith(expect.anything(), 1, 50)
    expect(wrapper.find('[data-test="report-pager"]').text()).toContain('120')

    await tick(wrapper, 0)
    await wrapper.find('[data-test="report-pager"] .btn-next').trigger('click')
    await settle()
    expect(reportable).toHaveBeenLastCalledWith(expect.anything(), 2, 50)
    expect(wrapper.find('.el-table__body').text()).toContain('申报人51')
    await tick(wrapper, 1)
    await settle()
    expect(wrapper.find('[data-test="report-selected"]').text()).toContain('已勾选 2 条')

    await wrapper.find('[data-test="report-submit"]').trigger('click')
    await settle()
    expect(send).toHaveBeenCalledTimes(1)
    expect(send.mock.calls[0]![0]).toEqual(['decl-1', 'decl-52'])
    expect(wrapper.find('[data-test="report-selected"]').text()).toContain('已勾选 0 条')
    wrapper.unmount()
  })

  it('loads once when a new page size moves the page, and shows only the latest answer', async () => {
    const reportable = serve()
    vi.spyOn(reports, 'listReports').mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 } as never)
    const wrapper = mountWithApp(ReportPage, { attachTo: document.body })
    await settle()
    const next = () => wrapper.find('[data-test="report-pager"] .btn-next').trigger('click')
    await next()
    await settle()
    await next()
    await settle()
    expect(reportable).toHaveBeenLastCalledWith(expect.anything(), 3, 50)

    // 100 a page leaves page 3 past the end: Element Plus moves to page 2 as well.
    reportable.mockClear()
    await wrapper.find('[data-test="report-pager"] .el-select__wrapper').trigger('click')
    await settle()
    const option = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].find((el) => el.textContent?.includes('100'))
    option!.click()
    await settle()
    expect(reportable).toHaveBeenCalledTimes(1)
    expect(reportable).toHaveBeenLastCalledWith(expect.anything(), 2, 100)

    // A slow answer for page 1 arrives after the one for page 2: page 2 stays.
    let slow: (value: Awaited<ReturnType<typeof reports.reportable>>) => void = () => undefined
    const fast = reportable.getMockImplementation()!
    reportable.mockImplementationOnce(() => new Promise((resolve) => (slow = resolve)))
    await wrapper.find('[data-test="report-pager"] .btn-prev').trigger('click')
    await next()
    await settle()
    slow(await fast({}, 1, 100))
    await settle()
    expect(wrapper.find('.el-table__body').text()).toContain('申报人101')
    expect(wrapper.find('.el-table__body').text()).not.toContain('申报人1 1')
    expect(wrapper.findAll('[data-test="report-table"] .el-table__body tr')).toHaveLength(20)
    wrapper.unmount()
  })

  it('pages through the report history', async () => {
    serve()
    const history = vi.spyOn(reports, 'listReports').mockImplementation(async (page, pageSize) => ({
      items: [{ id: `r${page}`, created_at: '2026-11-21T02:00:00Z', to_org_name: `上级${page}`, count: 1 }],
      total: 45,
      page,
      page_size: pageSize,
    }) as never)
    const wrapper = mountWithApp(ReportPage, { attachTo: document.body })
    await settle()
    expect(history).toHaveBeenLastCalledWith(1, 20)
    expect(wrapper.find('[data-test="report-history-pager"]').text()).toContain('45')
    await wrapper.find('[data-test="report-history-pager"] .btn-next').trigger('click')
    await settle()
    expect(history).toHaveBeenLastCalledWith(2, 20)
    expect(wrapper.find('[data-test="report-history"]').text()).toContain('上级2')
    wrapper.unmount()
  })
})

describe('ReportPage refusals', () => {
  it('unticks the declarations the server names as not eligible, so the rest can be sent again', async () => {
    serve()
    vi.spyOn(reports, 'listReports').mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 } as never)
    const send = vi
      .spyOn(reports, 'sendReport')
      .mockRejectedValueOnce(ApiError.from(422, { code: 'not_reportable', detail: '以下申报不能上报', errors: [{ field: '/declaration_ids/1', message: '该申报已上报' }] }))
      .mockResolvedValueOnce({ id: 'r1', count: 1, to_org_name: '济阳区卫生健康局' } as never)
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const wrapper = mountWithApp(ReportPage, { attachTo: document.body })
    await settle()
    await tick(wrapper, 0)
    await tick(wrapper, 1)
    await settle()
    await wrapper.find('[data-test="report-submit"]').trigger('click')
    await settle()
    expect(wrapper.find('[data-test="report-outcomes"]').text()).toContain('申报人2：该申报已上报')
    expect(wrapper.find('[data-test="report-selected"]').text()).toContain('已勾选 1 条')
    await wrapper.find('[data-test="report-submit"]').trigger('click')
    await settle()
    expect(send.mock.calls[1]![0]).toEqual(['decl-1'])
    wrapper.unmount()
  })
})
