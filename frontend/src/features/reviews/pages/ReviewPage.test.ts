import { afterEach, describe, expect, it, vi } from 'vitest'
import { ElMessageBox } from 'element-plus'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ReviewPage from './ReviewPage.vue'
import { mountWithApp, settle } from '@/test/mount'
import { declaration, form } from '@/test/fixtures'
import { api } from '@/lib/api/client'
import { ApiError } from '@/lib/problem'
import * as reviews from '../api/reviews'

function review(extra: Partial<reviews.Review> = {}): reviews.Review {
  return {
    declaration: declaration({ status: 'pending', editable: false }),
    standing: 'pending',
    standing_label: '待审核',
    can_review: true,
    can_report: false,
    events: [],
    ...extra,
  }
}

function mountPage() {
  const empty = { template: '<div />' }
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: empty }, { path: '/reviews', name: 'reviews', component: empty }] })
  return mountWithApp(ReviewPage, { props: { id: 'decl-1' }, attachTo: document.body, global: { plugins: [createPinia(), router] } })
}

afterEach(() => {
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

describe('ReviewPage (审核)', () => {
  it('decides only on the version it showed, and on 412 says so and shows the declaration as it is now', async () => {
    const get = vi
      .spyOn(reviews, 'getReview')
      .mockResolvedValueOnce(review())
      .mockResolvedValueOnce(review({ declaration: declaration({ status: 'approved', version: 4 }), standing: 'approved', standing_label: '通过未上报' }))
    vi.spyOn(reviews, 'declarationForm').mockResolvedValue(form)
    vi.spyOn(ElMessageBox, 'prompt').mockResolvedValue({ value: '' } as never)
    const approve = vi.spyOn(reviews, 'approveReview').mockRejectedValue(ApiError.from(412, { code: 'version_mismatch', detail: '申报已变更' }))
    const wrapper = mountPage()
    await settle()

    await wrapper.find('[data-test="review-approve"]').trigger('click')
    await settle(6)
    expect(approve).toHaveBeenCalledWith('decl-1', 3, '')
    expect(document.body.textContent).toContain('该申报已被他人处理，已为您刷新')
    expect(get).toHaveBeenCalledTimes(2)
    expect(wrapper.find('[data-test="review-actions"]').text()).toContain('通过未上报')
    expect(wrapper.find('[data-test="review-approve"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('asks for the opinion of a flagged item before sending, and puts the server’s /items/N errors under that item', async () => {
    vi.spyOn(reviews, 'getReview').mockResolvedValue(review())
    vi.spyOn(reviews, 'declarationForm').mockResolvedValue(form)
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm' as never)
    const post = vi.spyOn(api, 'POST').mockResolvedValue({
      error: { code: 'validation', detail: '提交的信息有误', errors: [{ field: '/items/0/opinion', message: '修改意见不能超过1000个字' }] },
      response: new Response(null, { status: 422 }),
    } as never)
    const wrapper = mountPage()
    await settle()
    await wrapper.find('[data-test="review-reject"]').trigger('click')
    await wrapper.find('textarea[data-test="reject-opinion"]').setValue('学历证书不清晰')
    const second = () => wrapper.findAll('[data-test="item-opinion-editor"]')[1]!
    await second().find('[data-test="flag-item"] input').setValue(true)

    await wrapper.find('[data-test="review-return"]').trigger('click')
    await settle()
    expect(second().find('[data-test="item-opinion-error"]').text()).toBe('请填写该条目需修改的意见')
    expect(wrapper.findAll('[data-test="item-opinion-error"]')).toHaveLength(1)
    expect(post).not.toHaveBeenCalled()

    await second().find('input[data-test="item-opinion-input"]').setValue('请上传清晰的学历证书')
    expect(second().find('[data-test="item-opinion-error"]').exists()).toBe(false)
    await wrapper.find('[data-test="review-return"]').trigger('click')
    await settle()
    expect(post).toHaveBeenCalledWith('/api/v1/reviews/{id}/return', {
      params: { path: { id: 'decl-1' }, header: { 'If-Match': '3' } },
      body: { opinion: '学历证书不清晰', items: [{ item_id: 'item-2', opinion: '请上传清晰的学历证书' }], add_sections: [], info_opinion: null },
    })
    expect(second().find('[data-test="item-opinion-error"]').text()).toBe('修改意见不能超过1000个字')
    expect(wrapper.find('[data-test="return-error"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
