import { describe, expect, it, vi } from 'vitest'
import type { DirectiveBinding, VNode } from 'vue'
import { vMenuKeys } from './menu-keys'

function menu(): { root: HTMLElement; entry: HTMLElement; title: HTMLElement } {
  const root = document.createElement('ul')
  root.innerHTML = '<li class="el-sub-menu"><div class="el-sub-menu__title">职称评审</div><ul><li class="el-menu-item" tabindex="-1">职称评审申报</li></ul></li>'
  document.body.append(root)
  return { root, entry: root.querySelector('.el-menu-item') as HTMLElement, title: root.querySelector('.el-sub-menu__title') as HTMLElement }
}
const mount = (root: HTMLElement) => (vMenuKeys as { mounted: (el: HTMLElement, b: DirectiveBinding, v: VNode, p: null) => void }).mounted(root, {} as DirectiveBinding, {} as VNode, null)

describe('v-menu-keys', () => {
  it('makes every entry and sub-menu title a Tab stop', () => {
    const { root, entry, title } = menu()
    mount(root)
    expect(entry.getAttribute('tabindex')).toBe('0')
    expect(title.getAttribute('tabindex')).toBe('0')
  })

  it('chooses an entry with Enter or Space, and leaves other keys alone', () => {
    const { root, entry } = menu()
    mount(root)
    const clicked = vi.fn()
    entry.addEventListener('click', clicked)
    entry.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    entry.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }))
    entry.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }))
    expect(clicked).toHaveBeenCalledTimes(2)
  })
})
