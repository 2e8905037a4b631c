import { afterEach, describe, expect, it, vi } from 'vitest'
import BasicInfoCard from './BasicInfoCard.vue'
import { mountWithApp, settle } from '@/test/mount'
import { declaration, form } from '@/test/fixtures'
import * as api from '../api/declarations'

afterEach(() => {
  vi.restoreAllMocks()
  localStorage.clear()
})

const mountCard = () =>
  mountWithApp(BasicInfoCard, { props: { declaration: declaration(), form, editable: true, errors: {} } })
const input = (wrapper: ReturnType<typeof mountCard>, key: string) => wrapper.find<HTMLInputElement>(`input[name="${key}"]`)

describe('BasicInfoCard (申报信息)', () => {
  it('keeps what the person typed when an item is saved elsewhere, and follows the server when nothing was typed', async () => {
    vi.spyOn(api, 'updateDeclaration').mockResolvedValue(declaration())
    const wrapper = mountCard()
    await input(wrapper, 'remark').setValue('还没保存的备注')
    // An item was saved: the page hands down the whole declaration again.
    await wrapper.setProps({ declaration: declaration({ items: [] }) })
    expect(input(wrapper, 'remark').element.value).toBe('还没保存的备注')
    wrapper.unmount()

    // Nothing typed (and nothing kept in this browser): the page follows the server.
    localStorage.clear()
    const untouched = mountCard()
    await untouched.setProps({ declaration: declaration({ info: { school: '山东大学', remark: '他处改过' } }) })
    expect(input(untouched, 'remark').element.value).toBe('他处改过')
  })

  it('saves what is typed by itself, and brings back what never reached the server on the next visit', async () => {
    const update = vi.spyOn(api, 'updateDeclaration').mockRejectedValueOnce(new Error('offline'))
    const first = mountCard()
    await input(first, 'remark').setValue('离开前输入的备注')
    // A moment after the last keystroke the draft goes to the server (here the network is down).
    await new Promise((resolve) => setTimeout(resolve, 1700))
    expect(update).toHaveBeenCalledWith('decl-1', { info: { school: '山东大学', remark: '离开前输入的备注' }, basic_confirmed: true })
    first.unmount()

    update.mockResolvedValue(declaration({ info: { school: '山东大学', remark: '离开前输入的备注' } }))
    const again = mountCard()
    await settle()
    expect(input(again, 'remark').element.value).toBe('离开前输入的备注')
    expect(again.find('[data-test="restored"]').exists()).toBe(true)
    await (again.vm as unknown as { flush: () => Promise<boolean> }).flush()
    expect(update).toHaveBeenLastCalledWith('decl-1', { info: { school: '山东大学', remark: '离开前输入的备注' }, basic_confirmed: true })
    expect(localStorage.getItem('zc.draft.info.decl-1')).toBeNull()
  })

  it('starts again from the server for another declaration', async () => {
    const wrapper = mountCard()
    await input(wrapper, 'remark').setValue('还没保存的备注')
    await wrapper.setProps({ declaration: declaration({ id: 'decl-2', info: { school: '青岛大学' } }) })
    expect(input(wrapper, 'school').element.value).toBe('青岛大学')
    expect(input(wrapper, 'remark').element.value).toBe('')
  })

  it('clears an optional field by sending null for it', async () => {
    const update = vi.spyOn(api, 'updateDeclaration').mockResolvedValue(declaration({ info: { school: '山东大学' } }))
    const wrapper = mountCard()
    await input(wrapper, 'remark').setValue('')
    await wrapper.find('[data-test="save-info"]').trigger('click')
    await settle()
    expect(update).toHaveBeenCalledWith('decl-1', { info: { school: '山东大学', remark: null }, basic_confirmed: true })
    expect(wrapper.emitted('saved')).toHaveLength(1)
  })
})
