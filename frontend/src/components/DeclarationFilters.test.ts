import { afterEach, describe, expect, it, vi } from 'vitest'
import DeclarationFilters from './DeclarationFilters.vue'
import { mountWithApp, settle } from '@/test/mount'
import { api } from '@/lib/api/client'
import { useSeries } from '@/lib/catalog'

afterEach(() => vi.restoreAllMocks())

describe('DeclarationFilters', () => {
  it('says when the series catalogue could not be read, and reads it again on 重试', async () => {
    const health = { code: 'health', name: '卫生', active: true, levels: [], specialties: [] }
    const get = vi
      .spyOn(api, 'GET')
      .mockRejectedValueOnce(new TypeError('offline'))
      .mockResolvedValueOnce({ data: [health], response: new Response(null, { status: 200 }) } as never)
    const filters = { status: '', year: '', level: '', series: '', q: '' }
    const wrapper = mountWithApp(DeclarationFilters, { props: { modelValue: filters, statuses: [] } })
    await settle()
    expect(wrapper.find('[data-test="series-error"]').text()).toContain('职称系列加载失败')
    expect(wrapper.find('[data-test="series-error"]').text()).toContain('网络异常')

    await wrapper.find('[data-test="series-retry"]').trigger('click')
    await settle()
    expect(get).toHaveBeenCalledTimes(2)
    expect(wrapper.find('[data-test="series-error"]').exists()).toBe(false)
    expect(useSeries().series.value.map((s) => s.name)).toEqual(['卫生'])
  })
})
