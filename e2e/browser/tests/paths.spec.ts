// 单位路径申请 beyond the story: several levels in one application, and 撤回 of one still pending.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { DEMO_PASSWORD } from '../lib/server'
import { applyPath } from '../lib/steps'
import { confirmBox, login, row } from '../lib/ui'

test('an org applies for two levels at once and withdraws one while it is pending', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'hospital admin', { width: 1440, height: 900 })
  await login(page, 'jiyang_hospital', DEMO_PASSWORD)
  const authority = '济南市济阳区卫生健康局'
  await applyPath(page, '工程', [/^中级/, /^副高级/], '卫生健康局', authority)
  const engineering = row(page, 'paths-table', '工程')
  await expect(engineering).toHaveCount(2)
  await expect(engineering.filter({ hasText: '中级' })).toContainText('待审核')
  await expect(engineering.filter({ hasText: '副高级' })).toContainText('待审核')
  await shot(page, 'paths-two-levels')

  const intermediate = engineering.filter({ hasText: /^(?!.*副高级).*中级/ })
  await intermediate.getByTestId('withdraw-path').click()
  // The confirm names the unit and the series it was sent for.
  await expect(page.locator('.el-message-box')).toContainText(`确定撤回向${authority}申请的工程中级上报路径吗`)
  await confirmBox(page)
  await expect(intermediate).toContainText('已撤回')
  await expect(intermediate.getByTestId('withdraw-path')).toHaveCount(0)
  await expect(engineering.filter({ hasText: '副高级' })).toContainText('待审核')
  await shot(page, 'paths-withdrawn')

  // The authority no longer has the withdrawn one to audit.
  const audit = await openAs(browser, server, watch, 'authority admin', { width: 1440, height: 900 })
  await login(audit, 'jiyang_health', DEMO_PASSWORD)
  await audit.goto('/path-audits')
  await expect(row(audit, 'path-audits-table', '副高级')).toHaveCount(1)
  await expect(row(audit, 'path-audits-table', '待审核').filter({ hasText: /^(?!.*副高级).*中级/ })).toHaveCount(0)
})
