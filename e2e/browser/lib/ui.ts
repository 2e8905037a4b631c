// Small helpers for Element Plus widgets and the app's own screens.
import { expect, type Locator, type Page } from '@playwright/test'

/** Opens an el-select and clicks the option with exactly this text. */
export async function pick(page: Page, select: Locator, option: string | RegExp): Promise<void> {
  await select.click()
  const item = page.locator('.el-select-dropdown__item:visible', { hasText: option }).first()
  await item.click()
  await expect(page.locator('.el-select-dropdown:visible')).toHaveCount(0)
}

/** Chooses a 行政区划 in a DivisionCascader, level by level by name (山东省, 济南市, 商河县). */
export async function pickDivision(page: Page, cascader: Locator, levels: string[]): Promise<void> {
  await cascader.click()
  for (const level of levels) {
    await page.locator('.division-popper .el-cascader-node:visible', { hasText: new RegExp(`^${level}$`) }).click()
  }
  await expect(page.locator('.division-popper')).toBeHidden()
}

export async function login(page: Page, account: string, password: string): Promise<void> {
  await page.goto('/login')
  await page.locator('input[name="account"]').fill(account)
  await page.locator('input[name="password"]').fill(password)
  await page.getByTestId('login-submit').click()
  await expect(page).not.toHaveURL(/\/login/)
}

export async function logout(page: Page): Promise<void> {
  await page.getByTestId('who').click()
  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/login/)
}

/** Opens a menu entry of 职称评审 by its label, the way the guide describes. */
export async function menu(page: Page, label: string): Promise<void> {
  await page.locator('.shell-menu .el-menu-item', { hasText: label }).click()
}

/** Accepts the confirmation box Element Plus shows (ElMessageBox). */
export async function confirmBox(page: Page): Promise<void> {
  await page.locator('.el-message-box__btns .el-button--primary').click()
}

/** 确认申报's dialog: ticks the 诚信承诺书 (the button stays disabled until then) and confirms. */
export async function acceptPledgeAndSubmit(page: Page): Promise<void> {
  const dialog = page.getByTestId('submit-dialog')
  await dialog.getByTestId('pledge-text').waitFor()
  await dialog.getByTestId('pledge-accept').click()
  await dialog.getByTestId('submit-confirm').click()
}

/** The table row that contains a text. */
export function row(page: Page, table: string, text: string | RegExp): Locator {
  return page.getByTestId(table).locator('.el-table__body-wrapper tr', { hasText: text })
}

/** The year in Beijing, which is the SPA's default declaration year. */
export function beijingYear(offset = 0): string {
  return String(Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date())) + offset)
}

/**
 * A slow server for the saves (PATCH) to `url`: held until `release()`, then through. A walk that
 * leaves a form "at once" so leaves before the autosave is through however loaded the machine is,
 * and `refuse()` answers them 422 instead (a save the server refuses) until `release()`.
 */
export async function slowSaves(page: Page, url: string | RegExp): Promise<{ hold: () => void; refuse: () => void; release: () => void }> {
  let mode: 'through' | 'hold' | 'refuse' = 'through'
  let open: () => void = () => undefined
  let gate: Promise<void> = Promise.resolve()
  await page.route(url, async (route) => {
    if (route.request().method() !== 'PATCH') return route.fallback()
    if (mode === 'refuse') {
      return route.fulfill({ status: 422, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: '请检查填写的内容', status: 422, code: 'validation', detail: '请检查填写的内容', errors: [] }) })
    }
    await gate
    // The tab may have been closed meanwhile (a crash walk): its request goes nowhere.
    return route.fallback().catch(() => undefined)
  })
  return {
    hold: () => {
      mode = 'hold'
      gate = new Promise((resolve) => (open = resolve))
    },
    refuse: () => {
      mode = 'refuse'
    },
    release: () => {
      mode = 'through'
      open()
    },
  }
}
