// Keyboard reachability: Tab from the top of the page to the end, and compare where focus went
// with the controls the page shows.
import type { Page } from '@playwright/test'

// Focusable elements, and whatever announces itself as a control by its role even when a widget
// left it out of the tab order (a vertical el-menu's entries are <li role="menuitem" tabindex="-1">).
const CONTROLS = [
  'a[href]', 'button', 'input:not([type="hidden"])', 'select', 'textarea', '[tabindex]:not([tabindex="-1"])', '[contenteditable="true"]',
  '[role="button"]', '[role="link"]', '[role="menuitem"]', '[role="tab"]', '[role="checkbox"]', '[role="switch"]', '[role="option"]',
].join(', ')

export interface TabWalk {
  /** Each visible, enabled control the page shows, by a short description. */
  controls: string[]
  /** How many times Tab reached each of them (in `controls` order). */
  reached: number[]
  /** Stops that are none of those controls. */
  extra: string[]
  /** Controls inside another control (a button in a link …): reached twice or announced wrongly. */
  nested: string[]
}

/** Tabs through the page from its top (focus on the document) until focus leaves it or comes round again. */
export async function tabThrough(page: Page): Promise<TabWalk> {
  const controls = await page.evaluate((selector) => {
    const visible = (el: Element) =>
      el.checkVisibility({ visibilityProperty: true, opacityProperty: false } as CheckVisibilityOptions) &&
      !el.closest('[inert], [aria-hidden="true"]')
    const enabled = (el: Element) => !(el as HTMLButtonElement).disabled && !el.closest('fieldset[disabled]')
    // Left out: an input-number's −/+ (its input steps with ↑/↓, as a native spin box does), and
    // a container that only announces a role around its own controls (a sub-menu around its title
    // and entries): its parts are what Tab must reach.
    const spinButton = (el: Element) => el.getAttribute('role') === 'button' && !!el.closest('.el-input-number')
    const candidates = [...document.querySelectorAll(selector)].filter((el) => visible(el) && enabled(el) && !spinButton(el))
    const container = (el: Element) => !(el as HTMLElement).matches('a[href], button, input, select, textarea') && candidates.some((other) => other !== el && el.contains(other))
    const found = candidates.filter((el) => !container(el))
    return found.map((el, index) => {
      el.setAttribute('data-kb', String(index))
      const text = (el.getAttribute('aria-label') || el.getAttribute('name') || el.getAttribute('placeholder') || el.textContent || '').trim().slice(0, 30)
      const parent = el.parentElement?.closest('a[href], button')
      return { name: `${el.tagName.toLowerCase()}${el.getAttribute('type') ? `[${el.getAttribute('type')}]` : ''} “${text}”`, nested: parent ? `${el.tagName.toLowerCase()} in ${parent.tagName.toLowerCase()} “${(parent.textContent ?? '').trim().slice(0, 30)}”` : '' }
    })
  }, CONTROLS)
  await page.evaluate(() => {
    ;(document.activeElement as HTMLElement | null)?.blur()
    window.scrollTo(0, 0)
  })
  const reached = controls.map(() => 0)
  const extra: string[] = []
  let first: string | null = null
  for (let presses = 0; presses < controls.length + 12; presses++) {
    await page.keyboard.press('Tab')
    const at = await page.evaluate(() => {
      const el = document.activeElement
      if (!el || el === document.body) return null
      return { kb: el.getAttribute('data-kb'), name: `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 60) }
    })
    if (!at) {
      if (first !== null) break
      continue
    }
    const key = at.kb ?? `extra:${at.name}`
    if (first === null) first = key
    else if (key === first) break
    if (at.kb !== null) reached[Number(at.kb)] = (reached[Number(at.kb)] ?? 0) + 1
    else extra.push(at.name)
  }
  return { controls: controls.map((c) => c.name), reached, extra, nested: controls.map((c) => c.nested).filter(Boolean) }
}
