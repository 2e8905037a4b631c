// The API documentation renders from the binary alone: Swagger UI, its assets and the OpenAPI
// document all come from the server, nothing from the internet.
import { test, expect, openAs, shot } from '../lib/fixtures'

test('the API docs render offline from the binary', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'integrator')
  const elsewhere: string[] = []
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(server.base) && !url.startsWith('data:')) elsewhere.push(url)
  })
  await page.goto('/api/docs/')
  await expect(page.locator('.swagger-ui .info .title')).toContainText('职称申报评审服务平台 API')
  await expect(page.locator('.opblock-summary-path', { hasText: '/api/v1/auth/login' }).first()).toBeVisible()
  await expect(page.locator('.opblock-summary-path', { hasText: '/api/v1/reports' }).first()).toBeVisible()
  // Swagger UI is vendored, not the SPA: screenshot only (axe judges our pages).
  await shot(page, 'api-docs', { thirdParty: true })
  expect(elsewhere, 'no request leaves the server').toEqual([])
})
