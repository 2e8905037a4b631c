// 动态口令（双重认证）: a reviewer turns it on from 账号设置 with an authenticator app (computed
// here from the secret the page shows), logs in again through the code step, and turns it off.
import { type Page } from '@playwright/test'
import { test, expect, openAs, shot } from '../lib/fixtures'
import { DEMO_PASSWORD } from '../lib/server'
import { Authenticator } from '../lib/totp'
import { login } from '../lib/ui'

async function openAccount(page: Page): Promise<void> {
  await page.getByTestId('who').click()
  await page.locator('.el-dropdown-menu__item:visible', { hasText: '账号设置' }).click()
  await expect(page.getByRole('heading', { name: '账号设置' })).toBeVisible()
}

test('a reviewer turns on 动态口令, logs in with a code of the app, and turns it off again', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'reviewer')
  await login(page, 'hospital_reviewer', DEMO_PASSWORD)
  await openAccount(page)
  const card = page.getByTestId('totp-card')
  await expect(card.getByTestId('totp-status')).toHaveText('未开启')

  // 开启: the current password first; a wrong one is refused next to its field.
  await card.getByTestId('totp-enable').click()
  await card.locator('input[name="totp-password"]').fill('Wrong#2026zc')
  await card.getByTestId('totp-submit').click()
  await expect(card.locator('.el-form-item.is-error')).toContainText('当前密码不正确')
  await card.locator('input[name="totp-password"]').fill(DEMO_PASSWORD)
  await card.getByTestId('totp-submit').click()

  // The QR code and the secret for typing in; the app's code confirms it.
  await expect(card.getByTestId('totp-qr')).toBeVisible()
  expect(await card.getByTestId('totp-qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/)
  const app = new Authenticator((await card.getByTestId('totp-secret').textContent()) ?? '')
  await shot(page, 'account-totp-scan')
  await card.locator('input[name="totp-code"]').fill(await app.nextCode())
  await card.getByTestId('totp-submit').click()

  // A new factor ends every session: back at the login page with the account filled in. Login now
  // asks for the code after the password, keeping both; a wrong code is said at the field.
  await expect(page).toHaveURL(/\/login\?account=hospital_reviewer/)
  await expect(page.locator('input[name="account"]')).toHaveValue('hospital_reviewer')
  await page.locator('input[name="password"]').fill(DEMO_PASSWORD)
  await page.getByTestId('login-submit').click()
  const code = page.locator('input[name="totp_code"]')
  await expect(code).toBeFocused()
  await expect(page.getByTestId('totp-hint')).toContainText('请输入手机验证器应用（如身份验证器）中显示的6位动态口令')
  await expect(page.locator('input[name="password"]')).toHaveValue(DEMO_PASSWORD)
  await shot(page, 'login-totp')
  await code.fill(app.wrongCode())
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('totp-item')).toContainText('动态口令不正确或已使用')
  await code.fill(await app.nextCode())
  await page.getByTestId('login-submit').click()
  await expect(page).not.toHaveURL(/\/login/)
  await expect(page.getByTestId('who')).toBeVisible()
  await openAccount(page)
  await expect(card.getByTestId('totp-status')).toHaveText('已开启')

  // 关闭 with the password and a fresh code; the session ends, and the password alone logs in again.
  await card.getByTestId('totp-disable').click()
  await card.locator('input[name="totp-password"]').fill(DEMO_PASSWORD)
  await card.locator('input[name="totp-code"]').fill(await app.nextCode())
  await card.getByTestId('totp-submit').click()
  await expect(page).toHaveURL(/\/login\?account=hospital_reviewer/)
  await login(page, 'hospital_reviewer', DEMO_PASSWORD)
  await openAccount(page)
  await expect(card.getByTestId('totp-status')).toHaveText('未开启')
})
