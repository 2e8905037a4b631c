// Element Plus's vertical el-menu renders its entries as <li tabindex="-1"> (only a horizontal menu
// gets its keyboard roving): with the keyboard alone the side menu could not be reached at all.
import type { Directive } from 'vue'

const ENTRIES = '.el-menu-item, .el-sub-menu__title'

function reachable(root: HTMLElement): void {
  for (const entry of root.querySelectorAll<HTMLElement>(ENTRIES)) {
    if (entry.getAttribute('tabindex') !== '0') entry.setAttribute('tabindex', '0')
  }
}

function activate(event: KeyboardEvent): void {
  if (event.key !== 'Enter' && event.key !== ' ') return
  const entry = (event.target as HTMLElement | null)?.closest<HTMLElement>(ENTRIES)
  if (!entry || entry !== event.target) return
  event.preventDefault()
  entry.click()
}

/** `v-menu-keys` on an el-menu: every entry one Tab stop, chosen with Enter or Space. */
export const vMenuKeys: Directive<HTMLElement> = {
  mounted(root) {
    reachable(root)
    root.addEventListener('keydown', activate)
  },
  updated(root) {
    reachable(root)
  },
  beforeUnmount(root) {
    root.removeEventListener('keydown', activate)
  },
}
