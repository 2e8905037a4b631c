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
