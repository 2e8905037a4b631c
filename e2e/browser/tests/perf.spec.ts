// Fast on a phone: the login page's first load on Chrome's "Slow 4G" profile with the CPU slowed
// 4×, measured through the DevTools protocol. Targets (issue 17): the form is usable in under 3 s,
// and the JavaScript of the first route is under 250 KB as sent (compressed).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, expect, openAs, shot } from '../lib/fixtures'
import { artifacts } from '../lib/server'

/** DevTools' "Slow 4G" preset: 150 ms RTT × 3.75, 1.6 Mbps × 0.9 down, 750 kbps × 0.9 up. */
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8, uploadThroughput: (750 * 1024 * 0.9) / 8 }

test('the login page is usable in under 3 s on Slow 4G with a 4× slower CPU, with under 250 KB of JavaScript', async ({ browser, server, watch }) => {
  const page = await openAs(browser, server, watch, 'phone', { width: 390, height: 844 })
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })

  /**
   * One cold load: the time from the navigation's start (the page's own clock) until the form is
   * drawn and takes typing — the account input shown and enabled, the 登录 button there.
   */
  async function coldLoad(): Promise<number> {
    await page.goto('/login', { waitUntil: 'commit' })
    const usable = await page.waitForFunction(
      () => {
        const input = document.querySelector<HTMLInputElement>('input[name="account"]')
        const button = document.querySelector<HTMLButtonElement>('[data-test="login-submit"]')
        return input && button && !input.disabled && !button.disabled && input.getClientRects().length > 0 ? Math.round(performance.now()) : false
      },
      undefined,
      { timeout: 30_000, polling: 'raf' },
    )
    return (await usable.jsonValue()) as number
  }
  // The median of three cold loads: one load on a busy machine says little.
  const runs = [await coldLoad(), await coldLoad(), await coldLoad()]
  const usableMs = [...runs].sort((a, b) => a - b)[1] ?? Infinity
  await page.locator('input[name="account"]').fill('nurse_zhang')

  const resources = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => {
      const r = e as PerformanceResourceTiming
      return { name: r.name, type: r.initiatorType, encoded: r.encodedBodySize, decoded: r.decodedBodySize, end: Math.round(r.responseEnd) }
    }),
  )
  const navigation = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
    return { html_ms: Math.round(n.responseEnd), dom_content_loaded_ms: Math.round(n.domContentLoadedEventEnd) }
  })
  const scripts = resources.filter((r) => /\.m?js(\?|$)/.test(r.name))
  const css = resources.filter((r) => /\.css(\?|$)/.test(r.name))
  const sum = (list: typeof resources, key: 'encoded' | 'decoded') => list.reduce((n, r) => n + r[key], 0)
  const figures = {
    profile: 'Slow 4G (562.5 ms, 1.44 Mbit/s down) + 4× CPU, cache disabled, 390×844',
    usable_ms: usableMs,
    usable_runs_ms: runs,
    js_requests: scripts.length,
    js_compressed_bytes: sum(scripts, 'encoded'),
    js_uncompressed_bytes: sum(scripts, 'decoded'),
    css_compressed_bytes: sum(css, 'encoded'),
    ...navigation,
    last_script_ms: Math.max(...scripts.map((r) => r.end)),
  }
  writeFileSync(join(artifacts, 'perf-login.json'), JSON.stringify(figures, null, 2))
  console.log(`login first load: ${JSON.stringify(figures)}`)
  // Every asset came compressed (the binary sends the build's .br files).
  for (const script of scripts.filter((s) => s.decoded > 1024)) expect(script.encoded, script.name).toBeLessThan(script.decoded)
  expect(figures.js_compressed_bytes).toBeLessThan(250 * 1024)
  expect(usableMs).toBeLessThan(3000)

  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  await shot(page, 'phone-login')
})

for (const size of [
  { name: 'desktop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
]) {
  test(`the splash is painted from index.html before any script runs (${size.name})`, async ({ browser, server }) => {
    // No console watch here: the scripts are held back on purpose.
    const context = await browser.newContext({ baseURL: server.base, viewport: size.viewport })
    const page = await context.newPage()
    await page.route('**/assets/*.js', (route) => route.abort())
    await page.goto('/login').catch(() => undefined)
    await expect(page.locator('.zc-splash')).toBeVisible()
    await expect(page.locator('.zc-splash')).toContainText('职称申报评审服务平台')
    await page.screenshot({ path: join(artifacts, `splash-${size.name}.png`), fullPage: true })
    await context.close()
  })
}

test('hashed assets are sent compressed (brotli and gzip) and cached as immutable', async ({ server, playwright }) => {
  const api = await playwright.request.newContext({ baseURL: server.base })
  const html = await (await api.get('/login')).text()
  const script = html.match(/\/assets\/[^"']+\.js/)?.[0]
  expect(script, 'a hashed script in index.html').toBeTruthy()
  for (const encoding of ['br', 'gzip']) {
    const answer = await api.get(script ?? '', { headers: { 'accept-encoding': encoding } })
    expect(answer.status()).toBe(200)
    expect(answer.headers()['content-encoding'], encoding).toBe(encoding)
    expect(answer.headers()['cache-control'], encoding).toContain('immutable')
  }
  await api.dispose()
})
