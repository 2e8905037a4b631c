// Login, lockout, 找回用户名/密码 with the SMS code, registration checks, the SSO entry, and the
// screens at phone width and in English.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { DEMO_PASSWORD } from '../lib/server'
import { login, logout } from '../lib/ui'
import { registerPersonApi, setPassword } from '../lib/api'
import { PASSWORD } from '../lib/actors'
import { idNumber } from '../lib/ids'

test('the login page is served at / and a wrong password is refused, then the account locks', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'visitor')
  await page.goto('/')
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible()
  await expect(page).toHaveTitle('登录 - 职称申报评审服务平台')
  // Required fields carry the red * and say so when left empty.
  await page.getByTestId('login-submit').click()
  await expect(page.locator('.el-form-item.is-required')).toHaveCount(2)
  await expect(page.getByText('账号为必填项')).toBeVisible()
  await shot(page, 'login')

  // An account of its own: the walks that follow share this server's demo accounts.
  await registerPersonApi(server, { username: 'locked_wang', password: PASSWORD, realName: '王锁定', idNumber: idNumber('19880808', 131), phone: '13905319941' })
  await page.locator('input[name="account"]').fill('locked_wang')
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.locator('input[name="password"]').fill(`Wrong#${attempt}pass`)
    await page.getByTestId('login-submit').click()
    await expect(page.getByTestId('login-error')).toBeVisible()
    if (attempt < 5) {
      await expect(page.getByTestId('login-error')).toContainText('账号或密码错误')
      await expect(page.getByTestId('attempts-left')).toHaveText(`还可尝试 ${5 - attempt} 次，连续失败将锁定账号`)
    }
    if (attempt === 1) await shot(page, 'login-attempts-left')
  }
  await page.locator('input[name="password"]').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('锁定')
  await expect(page).toHaveURL(/\/login/)
  await expect(page.getByTestId('attempts-left')).toHaveCount(0)
  await shot(page, 'login-locked')
  // A name with no account reads exactly as a known one does: nothing tells whether it exists.
  await page.locator('input[name="account"]').fill('nobody_such_account')
  await page.locator('input[name="password"]').fill('Wrong#1pass')
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('login-error')).toContainText('账号或密码错误')
  await expect(page.getByTestId('attempts-left')).toHaveText('还可尝试 4 次，连续失败将锁定账号')
})

test('找回密码 with the SMS code, then login with the new password by phone', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'nurse')
  await page.goto('/login')
  await page.getByRole('link', { name: '找回用户名/密码' }).click()
  await page.locator('input[name="forgot-account"]').fill('nurse_zhang')
  const before = server.smsOutbox('13905310100').length
  await page.getByTestId('send-code').first().click()
  await expect(page.getByTestId('pw-note')).toContainText('验证码已发送')
  await expect(page.getByTestId('send-code').first()).toContainText('秒后重发')
  const code = await server.latestCode('13905310100', before)
  // A wrong code is refused next to the code field; nothing typed is lost.
  await page.locator('input[name="reset-code"]').fill(code === '000000' ? '111111' : '000000')
  await page.locator('input[name="new-password"]').fill('Fresh#Pass2026')
  await page.locator('input[name="confirm-password"]').fill('Fresh#Pass2026')
  await page.getByTestId('reset-submit').click()
  await expect(page.locator('.el-form-item.is-error').first()).toBeVisible()
  await expect(page.locator('input[name="new-password"]')).toHaveValue('Fresh#Pass2026')
  await page.locator('input[name="reset-code"]').fill(code)
  await page.getByTestId('reset-submit').click()
  await expect(page).toHaveURL(/\/login/)
  await shot(page, 'forgot-done')
  await login(page, '13905310100', 'Fresh#Pass2026')
  await expect(page.getByTestId('who')).toContainText('张护士')
  await logout(page)
  await setPassword(server, 'nurse_zhang', 'Fresh#Pass2026', DEMO_PASSWORD)
})

test('找回用户名 shows the usernames registered with the phone', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'visitor')
  await page.goto('/forgot')
  await page.getByRole('tab', { name: '找回用户名' }).click()
  await page.locator('input[name="recover-phone"]').fill('13905310100')
  const before = server.smsOutbox('13905310100').length
  await page.getByTestId('send-code').nth(1).click()
  await expect(page.getByTestId('send-code').nth(1)).toContainText('秒后重发')
  await page.locator('input[name="recover-code"]').fill(await server.latestCode('13905310100', before))
  await page.getByRole('button', { name: '找回用户名', exact: true }).last().click()
  await expect(page.getByTestId('usernames')).toContainText('nurse_zhang')
  await shot(page, 'forgot-username')
})

test('registration shows each problem next to its field and keeps what was typed', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'visitor')
  await page.goto('/register/person')
  await page.getByTestId('register-submit').click()
  await expect(page.locator('.el-form-item.is-required')).toHaveCount(6)
  await expect(page.getByText('用户名为必填项')).toBeVisible()
  await page.locator('input[name="id_number"]').fill('360426199101010072')
  await page.locator('input[name="phone"]').fill('12345')
  await page.locator('input[name="username"]').click()
  await expect(page.getByText('请输入正确的18位身份证号')).toBeVisible()
  await expect(page.getByText('请输入正确的手机号')).toBeVisible()
  await shot(page, 'register-person-errors')
  // The server's own refusal (the demo nurse's ID number is taken) lands next to the field.
  await page.locator('input[name="username"]').fill('nurse_twin')
  await page.locator('input[name="password"]').fill('Twin#Pass2026')
  await page.locator('input[name="confirm"]').fill('Twin#Pass2026')
  await page.locator('input[name="real_name"]').fill('张护士')
  await page.locator('input[name="id_number"]').fill('370126199003050024')
  await page.locator('input[name="phone"]').fill('13905310188')
  await page.getByTestId('register-submit').click()
  await expect(page.getByTestId('register-error').or(page.locator('.el-form-item.is-error'))).toBeVisible()
  await expect(page.locator('input[name="real_name"]')).toHaveValue('张护士')

  await page.goto('/register/org')
  await page.getByTestId('register-submit').click()
  await expect(page.locator('.el-form-item.is-required')).toHaveCount(10)
  await page.locator('input[name="uscc"]').fill('91110000600037341N')
  await page.locator('input[name="org-name"]').click()
  await expect(page.getByText('请输入正确的18位统一社会信用代码')).toBeVisible()
  await shot(page, 'register-org-errors')
})

test('the unified platform entry hides when SSO is off, and its errors read clearly', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'visitor')
  await page.goto('/login')
  await expect(page.getByTestId('login-submit')).toBeVisible()
  const config = await page.request.get('/api/v1/auth/sso/config')
  const enabled = config.ok() && (await config.json()).enabled === true
  await expect(page.getByTestId('sso-login')).toHaveCount(enabled ? 1 : 0)
  await page.goto('/login?sso_error=access_denied')
  await expect(page.getByTestId('sso-error')).toContainText('您已取消统一平台授权')
  await page.goto('/login?sso_error=something_new')
  await expect(page.getByTestId('sso-error')).toContainText('统一平台登录失败')
  await page.goto('/sso/register?ticket=not-a-ticket')
  await expect(page.getByRole('alert')).toContainText('注册凭据已失效')
})

test('phone width: the menu folds into a drawer; English is available', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'phone', { width: 390, height: 844 })
  // 还可尝试 N 次 at phone width, for a name that may or may not exist.
  await page.goto('/login')
  await page.locator('input[name="account"]').fill('nobody_on_a_phone')
  await page.locator('input[name="password"]').fill('Wrong#1pass')
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('attempts-left')).toHaveText('还可尝试 4 次，连续失败将锁定账号')
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await shot(page, 'phone-login-attempts-left')
  await login(page, 'luxin_machinery', DEMO_PASSWORD)
  await page.getByRole('button', { name: '稍后' }).click({ timeout: 5000 }).catch(() => undefined)
  await expect(page.locator('.shell-aside')).toHaveCount(0)
  await page.getByTestId('menu-toggle').click()
  await expect(page.locator('.el-drawer .el-menu-item', { hasText: '单位路径申请' })).toBeVisible()
  await shot(page, 'phone-menu')
  await page.locator('.el-drawer .el-menu-item', { hasText: '单位路径申请' }).click()
  await expect(page.getByRole('heading', { name: '单位路径申请' })).toBeVisible()
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(scroll).toBeLessThanOrEqual(390)
  await shot(page, 'phone-paths')

  await page.getByTestId('locale-switch').selectOption('en')
  await expect(page.getByRole('heading', { name: 'Reporting path applications' })).toBeVisible()
  await page.getByTestId('locale-switch').selectOption('zh-CN')
  await expect(page.getByRole('heading', { name: '单位路径申请' })).toBeVisible()
})

for (const size of [
  { name: 'desktop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
]) {
  test(`a person's phone must be a mobile; an org's 联系电话 may be a landline (${size.name})`, async ({ browser, server, watch }) => {
    const page = await openAs(browser, server, watch, `visitor (${size.name})`, size.viewport)
    const fits = async () => {
      if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    }
    await page.goto('/register/person')
    const phoneItem = page.locator('.el-form-item', { has: page.locator('input[name="phone"]') })
    await page.locator('input[name="phone"]').fill('0531-84221234')
    await page.locator('input[name="real_name"]').click()
    await expect(phoneItem.locator('.el-form-item__error')).toHaveText('请输入正确的手机号')
    await fits()
    await shot(page, `register-person-landline-${size.name}`)
    // The server refuses it too, naming the field.
    const refused = await fetch(`${server.base}/api/v1/auth/register/person`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `landline_${size.name}`, password: PASSWORD, real_name: '座机', id_number: idNumber('19940404', size.name === 'phone' ? 233 : 231), phone: '0531-84221234' }),
    })
    expect(refused.status).toBe(422)
    expect(JSON.stringify(((await refused.json()) as { errors: unknown[] }).errors)).toContain('/phone')
    await page.locator('input[name="phone"]').fill('13905310231')
    await page.locator('input[name="real_name"]').click()
    await expect(phoneItem.locator('.el-form-item__error')).toHaveCount(0)

    // An organisation's 联系电话 takes the same landline (cards.spec.ts registers one with it).
    await page.goto('/register/org')
    const contactItem = page.locator('.el-form-item', { has: page.locator('input[name="contact_phone"]') })
    await page.locator('input[name="contact_phone"]').fill('12345')
    await page.locator('input[name="contact_name"]').click()
    await expect(contactItem.locator('.el-form-item__error')).toBeVisible()
    await page.locator('input[name="contact_phone"]').fill('0531-84221234')
    await page.locator('input[name="contact_name"]').click()
    await expect(contactItem.locator('.el-form-item__error')).toHaveCount(0)
    await fits()
  })
}
