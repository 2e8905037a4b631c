import { afterEach, describe, expect, it, vi } from 'vitest'
import OrgCredentials from './OrgCredentials.vue'
import { mountWithApp, settle } from '@/test/mount'
import { api } from '@/lib/api/client'

afterEach(() => vi.restoreAllMocks())

describe('OrgCredentials', () => {
  it('shows the region by its full name with its code, read from the national list', async () => {
    const get = vi.spyOn(api, 'GET').mockResolvedValue({
      data: { code: '370126', full_name: '山东省/济南市/商河县', path: [] },
      response: new Response(null, { status: 200 }),
    } as never)
    const wrapper = mountWithApp(OrgCredentials, { props: { org: { uscc: '121200004013590816', region_code: '370126', address: '许商街道1号', verified: false } } })
    await settle()
    expect(get).toHaveBeenCalledWith('/api/v1/divisions/{code}', { params: { path: { code: '370126' } } })
    expect(wrapper.get('[data-test="org-region"]').text()).toBe('行政区划：山东省/济南市/商河县（370126）')
  })

  it('keeps the bare code when it is not a division of the list', async () => {
    vi.spyOn(api, 'GET').mockResolvedValue({ error: { code: 'not_found', detail: '未找到' }, response: new Response(null, { status: 404 }) } as never)
    const wrapper = mountWithApp(OrgCredentials, { props: { org: { uscc: '121200004013590816', region_code: '999999', address: '', verified: true } } })
    await settle()
    expect(wrapper.get('[data-test="org-region"]').text()).toBe('行政区划：999999')
  })
})
