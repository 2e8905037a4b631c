// 单位路径申请 beyond the story: several levels in one application, and 撤回 of one still pending,
// at 1440×900 (a table) and 390×844 (cards with the status on top).
import type { Page } from '@playwright/test'
import { test, expect, openAs, shot } from '../lib/fixtures'
import { DEMO_PASSWORD } from '../lib/server'
import { applyPath } from '../lib/steps'
import { confirmBox, login, pick, row } from '../lib/ui'

const authority = '济南市济阳区卫生健康局'

/** applyPath's dialog on a phone, where the list is cards: from /paths, no menu. */
async function applyOnPhone(page: Page, series: string, levels: RegExp[]): Promise<void> {
  await page.goto('/paths')
  await page.getByTestId('add-path').click()
  const dialog = page.getByTestId('new-path-dialog')
  await pick(page, dialog.getByTestId('path-series'), new RegExp(`^${series}$`))
  await dialog.getByTestId('path-level').click()
  for (const one of levels) await page.locator('.el-select-dropdown__item:visible', { hasText: one }).first().click()
  await page.keyboard.press('Escape')
  await expect(page.locator('.el-select-dropdown:visible')).toHaveCount(0)
  await dialog.getByTestId('org-search-input').fill('卫生健康局')
  await dialog.getByTestId('org-search-button').click()
  await dialog.getByTestId('org-search-results').getByText(authority).click()
  await dialog.getByTestId('org-search-confirm').click()
  await expect(dialog.getByTestId('path-audit-org')).toHaveValue(authority)
  await dialog.getByTestId('path-save').click()
  await expect(dialog).toBeHidden()
}

for (const size of [
  { name: 'desktop', viewport: { width: 1440, height: 900 }, series: '工程' },
  { name: 'phone', viewport: { width: 390, height: 844 }, series: '经济' },
]) {
  test(`an org applies for two levels at once and withdraws one while it is pending (${size.name})`, async ({ browser, server, watch }) => {
    const phone = size.name === 'phone'
    const page = await openAs(browser, server, watch, `hospital admin (${size.name})`, size.viewport)
    await login(page, 'jiyang_hospital', DEMO_PASSWORD)
    await page.getByRole('button', { name: '稍后' }).click({ timeout: 3000 }).catch(() => undefined)
    if (phone) await applyOnPhone(page, size.series, [/^中级/, /^副高级/])
    else await applyPath(page, size.series, [/^中级/, /^副高级/], '卫生健康局', authority)
    const entries = phone
      ? page.getByTestId('paths-cards').getByTestId('row-card').filter({ hasText: size.series })
      : row(page, 'paths-table', size.series)
    await expect(entries).toHaveCount(2)
    await expect(entries.filter({ hasText: '中级' }).first()).toContainText('待审核')
    await expect(entries.filter({ hasText: '副高级' })).toContainText('待审核')
    if (phone) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `paths-two-levels-${size.name}`)

    const intermediate = entries.filter({ hasText: /^(?![\s\S]*副高级)[\s\S]*中级/ })
    await expect(intermediate).toHaveCount(1)
    await intermediate.getByTestId('withdraw-path').click()
    // The confirm names the unit and the series it was sent for.
    await expect(page.locator('.el-message-box')).toContainText(`确定撤回向${authority}申请的${size.series}中级上报路径吗`)
    await confirmBox(page)
    await expect(intermediate).toContainText('已撤回')
    await expect(intermediate.getByTestId('withdraw-path')).toHaveCount(0)
    await expect(entries.filter({ hasText: '副高级' })).toContainText('待审核')
    await shot(page, `paths-withdrawn-${size.name}`)

    // The authority no longer has the withdrawn one to audit; each row names the applicant's
    // credit code (with its 认证 mark, region and address).
    const audit = await openAs(browser, server, watch, `authority admin (${size.name})`, size.viewport)
    await login(audit, 'jiyang_health', DEMO_PASSWORD)
    await audit.goto('/path-audits')
    const mine = phone
      ? audit.getByTestId('path-audits-cards').getByTestId('row-card').filter({ hasText: size.series })
      : row(audit, 'path-audits-table', size.series)
    await expect(mine.filter({ hasText: '副高级' })).toHaveCount(1)
    await expect(mine.filter({ hasText: '待审核' }).filter({ hasText: /^(?![\s\S]*副高级)[\s\S]*中级/ })).toHaveCount(0)
    await expect(mine.filter({ hasText: '副高级' }).getByTestId('org-credentials')).toContainText('12370126MB00000046')
    if (phone) expect(await audit.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(audit, `path-audits-${size.name}`)
  })
}
