import { test, expect, openAs, shot } from '../lib/fixtures'

test('the login page is served at / by the binary', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'visitor')
  await page.goto('/')
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible()
  await shot(page, 'login')
})
