// 山东省政务统一平台登录 through a real OpenID provider of our own (mock_oidc): the browser
// follows every redirect, the SPA finishes the login, registers first-time users, shows refusals.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { idNumber, uscc } from '../lib/ids'
import { startMockOidc, startServerWithSso, type MockOidc } from '../lib/oidc'
import type { Server } from '../lib/server'
import { confirmBox, logout, pick, pickDivision } from '../lib/ui'

let oidc: MockOidc
let platform: Server

test.beforeAll(async () => {
  oidc = await startMockOidc()
  platform = await startServerWithSso(oidc)
})
test.afterAll(async () => {
  await platform?.stop()
  oidc?.stop()
})

test('an existing person logs in through the unified platform and can unbind it', async ({ browser, watch }) => {
  const page = await openAs(browser, platform, watch, 'sso person')
  await oidc.nextLogin({ sub: 'sd-person-0001', name: '张护士', id_number: '370126199003050024' })
  await page.goto('/login')
  await shot(page, 'sso-login')
  await page.getByTestId('sso-login').click()
  await expect(page).toHaveURL(/\/declarations$/)
  await expect(page.getByTestId('who')).toContainText('张护士')

  await page.goto('/account')
  await expect(page.getByText('已绑定统一平台账号')).toBeVisible()
  await page.getByRole('button', { name: '解除绑定' }).click()
  await confirmBox(page)
  await expect(page.getByText('未绑定统一平台账号')).toBeVisible()
  await logout(page)
})

test('a first-time person registers with the verified name and ID number locked', async ({ browser, watch }) => {
  const page = await openAs(browser, platform, watch, 'sso newcomer')
  const id = idNumber('19920815', 46)
  await oidc.nextLogin({ sub: 'sd-person-0902', name: '刘新', id_number: id })
  await page.goto('/login')
  await page.getByTestId('sso-login').click()
  await expect(page).toHaveURL(/\/sso\/register\?ticket=/)
  const name = page.locator('.el-form-item', { hasText: '姓名' }).locator('input')
  await expect(name).toHaveValue('刘新')
  await expect(name).toBeDisabled()
  await expect(page.locator('.el-form-item', { hasText: '身份证号' }).locator('input')).toHaveValue(/\*{4,}/)
  await page.locator('.el-form-item', { hasText: '手机号' }).locator('input').fill('13905319931')
  await page.locator('.el-form-item', { hasText: '用户名' }).locator('input').fill('liu_xin')
  await page.locator('.el-form-item', { hasText: /^\*?密码/ }).first().locator('input').fill('Sso#Walk2026')
  await page.locator('.el-form-item', { hasText: '确认密码' }).locator('input').fill('Sso#Walk2026')
  await shot(page, 'sso-register')
  await page.getByRole('button', { name: '注册' }).click()
  await expect(page).toHaveURL(/\/declarations$/)
  await expect(page.getByTestId('who')).toContainText('刘新')
})

test('an organisation’s first login registers the unit (单位注册) with its credit code locked', async ({ browser, watch }) => {
  const page = await openAs(browser, platform, watch, 'sso org')
  const code = uscc('91370126MA0000033')
  await oidc.nextLogin({ sub: 'sd-org-0777', name: '钱经办', uscc: code, org_name: '济南齐鲁精工有限公司' })
  await page.goto('/login')
  await page.getByTestId('sso-login').click()
  await expect(page).toHaveURL(/\/sso\/register\?ticket=/)
  await expect(page.locator('.el-form-item', { hasText: '统一社会信用代码' }).locator('input')).toHaveValue(code)
  await expect(page.locator('.el-form-item', { hasText: '单位名称' }).locator('input')).toBeDisabled()
  await pick(page, page.locator('.el-form-item', { hasText: '单位类型' }).locator('.el-select'), '企业')
  const region = page.getByTestId('org-region-picker').locator('.el-cascader')
  await pickDivision(page, region, ['山东省', '济南市', '济阳区'])
  await expect(region.locator('input')).toHaveValue('山东省/济南市/济阳区')
  await page.locator('.el-form-item', { hasText: '单位地址' }).locator('input').fill('济阳区经济开发区')
  await expect(page.locator('.el-form-item', { hasText: /^\*?联系人/ }).locator('input')).toHaveValue('钱经办')
  await page.locator('.el-form-item', { hasText: '联系电话' }).locator('input').fill('13905319932')
  await page.locator('.el-form-item', { hasText: '管理员用户名' }).locator('input').fill('qilu_precision')
  await page.locator('.el-form-item', { hasText: '管理员密码' }).locator('input').fill('Sso#Unit2026')
  await page.locator('.el-form-item', { hasText: '确认密码' }).locator('input').fill('Sso#Unit2026')
  await page.getByRole('button', { name: '注册' }).click()
  await expect(page.getByTestId('who')).toContainText('济南齐鲁精工有限公司')
})

test('a refusal at the provider comes back as a clear message on the login page', async ({ browser, watch }) => {
  const page = await openAs(browser, platform, watch, 'sso refused')
  await oidc.nextLogin({ sub: 'sd-person-0001', name: '张护士', id_number: '370126199003050024' }, 'deny')
  await page.goto('/login')
  await page.getByTestId('sso-login').click()
  await expect(page).toHaveURL(/\/login\?sso_error=access_denied/)
  await expect(page.getByTestId('sso-error')).toContainText('您已取消统一平台授权')
  await oidc.nextLogin({ sub: 'sd-person-0001', name: '张护士', id_number: '370126199003050024' }, 'expired')
  await page.getByTestId('sso-login').click()
  await expect(page).toHaveURL(/sso_error=token_expired/)
  await expect(page.getByTestId('sso-error')).toContainText('统一平台身份核验失败')
  await shot(page, 'sso-refused')
})
