import { afterEach, describe, expect, it, vi } from 'vitest'
import EvidenceUpload from './EvidenceUpload.vue'
import { mountWithApp, settle } from '@/test/mount'
import * as upload from '@/lib/upload'

const PDF = new TextEncoder().encode('%PDF-1.4\n%%EOF\n')

function choose(wrapper: ReturnType<typeof mountWithApp>, file: File) {
  const input = wrapper.find('input[type="file"]')
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  return input.trigger('change')
}

afterEach(() => vi.restoreAllMocks())

describe('EvidenceUpload', () => {
  it('refuses a file that is not PDF/JPG/PNG by content, with a clear message, and sends nothing', async () => {
    const send = vi.spyOn(upload, 'uploadWithProgress')
    const wrapper = mountWithApp(EvidenceUpload, { props: { modelValue: [] } })
    await choose(wrapper, new File(['hello'], 'fake.pdf', { type: 'application/pdf' }))
    await settle()
    expect(wrapper.find('[data-test="upload-error"]').text()).toContain('仅支持PDF、JPG、PNG格式')
    expect(send).not.toHaveBeenCalled()
    expect(wrapper.emitted('update:modelValue')).toBeUndefined()
  })

  it('refuses a file over the limit before reading it', async () => {
    const send = vi.spyOn(upload, 'uploadWithProgress')
    const wrapper = mountWithApp(EvidenceUpload, { props: { modelValue: [], maxBytes: 8 } })
    await choose(wrapper, new File([PDF], 'big.pdf'))
    await settle()
    expect(wrapper.find('[data-test="upload-error"]').text()).toContain('单个文件大小不超过5MB')
    expect(send).not.toHaveBeenCalled()
  })

  it('uploads a good file with progress and adds the server’s attachment to the list', async () => {
    const answer = { id: 'att-1', filename: '学历证书.pdf', content_type: 'application/pdf', size: PDF.length }
    let report: (percent: number) => void = () => undefined
    let finish: (value: typeof answer) => void = () => undefined
    vi.spyOn(upload, 'uploadWithProgress').mockImplementation((_url, _file, onProgress) => {
      report = onProgress
      return new Promise((resolve) => (finish = resolve as (value: typeof answer) => void))
    })
    const wrapper = mountWithApp(EvidenceUpload, { props: { modelValue: [] } })
    await choose(wrapper, new File([PDF], '学历证书.pdf', { type: 'application/pdf' }))
    await settle()
    report(40)
    await settle()
    expect(wrapper.find('[data-test="upload-progress"] .el-progress').attributes('aria-valuenow')).toBe('40')
    finish(answer)
    await settle()
    expect(wrapper.emitted('update:modelValue')?.[0]?.[0]).toEqual([answer])
    expect(wrapper.find('[data-test="upload-progress"]').exists()).toBe(false)
  })

  it('shows the server’s refusal when the upload is refused', async () => {
    const { ApiError } = await import('@/lib/problem')
    vi.spyOn(upload, 'uploadWithProgress').mockRejectedValue(
      ApiError.from(415, { code: 'unsupported_media_type', detail: '仅支持PDF、JPG、PNG格式的文件' }),
    )
    const wrapper = mountWithApp(EvidenceUpload, { props: { modelValue: [] } })
    await choose(wrapper, new File([PDF], 'a.pdf'))
    await settle(5)
    expect(wrapper.find('[data-test="upload-error"]').text()).toBe('仅支持PDF、JPG、PNG格式的文件')
  })

  it('lists files with preview and download, and hides upload when disabled', () => {
    const files = [{ id: 'a', filename: '证书.png', content_type: 'image/png', size: 2048 }]
    const wrapper = mountWithApp(EvidenceUpload, { props: { modelValue: files, disabled: true, error: '请上传证明材料' } })
    expect(wrapper.find('[data-test="evidence-file"]').text()).toContain('证书.png')
    expect(wrapper.find('[data-test="evidence-download"]').exists()).toBe(true)
    expect(wrapper.find('input[type="file"]').exists()).toBe(false)
    expect(wrapper.find('[data-test="attachments-error"]').text()).toBe('请上传证明材料')
  })
})
