import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import MessagesPage from './MessagesPage.vue'
import { mountWithApp, settle } from '@/test/mount'
import { useTodo } from '../todo'
import * as api from '../api/messages'

function message(id: string, read: boolean, link: string | null = null): api.Message {
  return {
    id,
    kind: 'declaration_returned',
    title: `标题${id}`,
    body: `正文${id}`,
    link,
    object_type: null,
    object_id: null,
    created_at: '2026-12-01T01:00:00Z',
    read_at: read ? '2026-12-01T02:00:00Z' : null,
  }
}

async function mountPage() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const todo = useTodo()
  todo.counts = { unread: 2, files_waiting: 0, paths_to_audit: 0, orgs_to_verify: 0 }
  const empty = { template: '<div />' }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/messages', component: empty }, { path: '/declarations/:id/progress', component: empty }],
  })
  await router.push('/messages')
  const wrapper = mountWithApp(MessagesPage, { attachTo: document.body, global: { plugins: [pinia, router] } })
  await settle()
  return { wrapper, router, todo }
}

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

describe('MessagesPage (消息中心)', () => {
  it('opens a message: marks it read, lowers the bell and follows its link', async () => {
    vi.spyOn(api, 'listMessages').mockResolvedValue({ items: [message('a', false, '/declarations/d1/progress'), message('b', true)], total: 2, page: 1, page_size: 20 })
    const read = vi.spyOn(api, 'markRead').mockResolvedValue(message('a', true, '/declarations/d1/progress'))
    const { wrapper, router, todo } = await mountPage()
    const rows = wrapper.findAll('[data-test="message-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.classes()).toContain('unread')
    expect(rows[1]!.classes()).not.toContain('unread')

    await rows[0]!.trigger('click')
    await settle()
    expect(read).toHaveBeenCalledWith('a')
    expect(todo.counts.unread).toBe(1)
    expect(router.currentRoute.value.path).toBe('/declarations/d1/progress')
  })

  it('a read message is not marked again; read-all clears the bell and reloads', async () => {
    const list = vi.spyOn(api, 'listMessages').mockResolvedValue({ items: [message('b', true)], total: 1, page: 1, page_size: 20 })
    const read = vi.spyOn(api, 'markRead')
    const all = vi.spyOn(api, 'markAllRead').mockResolvedValue({ marked: 2 })
    const { wrapper, todo } = await mountPage()
    await wrapper.find('[data-test="message-row"]').trigger('click')
    await settle()
    expect(read).not.toHaveBeenCalled()

    await wrapper.find('[data-test="messages-read-all"]').trigger('click')
    await settle()
    expect(all).toHaveBeenCalled()
    expect(todo.counts.unread).toBe(0)
    expect(list).toHaveBeenCalledTimes(2)
  })

  it('the unread filter asks the server for unread ones only', async () => {
    const list = vi.spyOn(api, 'listMessages').mockResolvedValue({ items: [], total: 0, page: 1, page_size: 20 })
    const { wrapper } = await mountPage()
    expect(list).toHaveBeenLastCalledWith(1, 20, false)
    await wrapper.find('[data-test="messages-unread-only"]').trigger('click')
    await settle()
    expect(list).toHaveBeenLastCalledWith(1, 20, true)
    expect(wrapper.text()).toContain('暂无消息')
  })
})
