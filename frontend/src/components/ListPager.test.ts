import { describe, expect, it } from 'vitest'
import ListPager from './ListPager.vue'
import { mountWithApp, settle } from '@/test/mount'

describe('ListPager', () => {
  it('says 10000+ when the server stopped counting, and the exact count otherwise', async () => {
    const capped = mountWithApp(ListPager, { props: { total: 10000, capped: true, page: 1, pageSize: 20 } })
    await settle()
    expect(capped.find('[data-test="pager-capped"]').text()).toBe('共 10000+ 条')
    expect(capped.find('.el-pagination__total').exists()).toBe(false)

    const exact = mountWithApp(ListPager, { props: { total: 37, page: 1, pageSize: 20 } })
    await settle()
    expect(exact.find('[data-test="pager-capped"]').exists()).toBe(false)
    expect(exact.find('.el-pagination__total').text()).toContain('37')
  })
})
