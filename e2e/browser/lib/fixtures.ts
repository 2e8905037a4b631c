// Shared fixtures: one real server per worker, pages that fail the test on console errors,
// and screenshots of each main screen under e2e/artifacts/.
import { test as base, expect, type Browser, type Page } from '@playwright/test'
import { mkdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { artifacts, startServer, type Server } from './server'

/** Network 4xx answers the walk provokes on purpose (wrong password, refused upload, 422 lists …). */
const EXPECTED_HTTP = /Failed to load resource: the server responded with a status of (400|401|404|409|413|415|422|423)/

export class Watch {
  readonly errors: string[] = []
  attach(page: Page, who: string): Page {
    page.on('console', (message) => {
      if (message.type() === 'error' && !EXPECTED_HTTP.test(message.text())) this.errors.push(`[${who}] ${message.text()}`)
      if (message.type() === 'warning' && process.env.ZC_SHOW_WARNINGS) console.log(`[${who}] warning: ${message.text()}`)
    })
    page.on('pageerror', (error) => this.errors.push(`[${who}] ${error.message}`))
    return page
  }
}

export async function openAs(browser: Browser, server: Server, watch: Watch, who: string, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.base, viewport: viewport ?? { width: 1366, height: 768 }, acceptDownloads: true })
  return watch.attach(await context.newPage(), who)
}

const axeSource: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[]; html: string; failureSummary?: string }>
}

/**
 * Waits until nothing on the page is mid-transition: a confirm box or a toast fading in or out, or
 * a tag entering with its page, is judged by axe at part of its opacity and so at part of its
 * contrast (the walks failed that way at random under load). Endless animations (spinners) are
 * left running; a finite one still running after 10 s fails the walk.
 */
export async function settle(page: Page): Promise<void> {
  // Two frames, so a transition that a click has just asked for has started.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
    undefined,
    { timeout: 10_000 },
  )
}

/**
 * axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is once it has settled: every serious or
 * critical violation fails the test, with the rule and the elements it names.
 */
export async function checkAccessibility(page: Page, name: string): Promise<void> {
  await settle(page)
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    return result.violations
  })
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 6).map((n) => `${n.target.join(' ')}  ${n.html.slice(0, 160)}`).join('\n    ')}`)
  expect(serious, `axe-core on ${name}`).toEqual([])
}

/**
 * Saves the whole page as e2e/artifacts/<name>.png, and checks it with axe-core. `thirdParty`
 * marks a page that is not the SPA's (the vendored Swagger UI at /api/docs), which axe does not judge.
 */
export async function shot(page: Page, name: string, options: { thirdParty?: boolean } = {}): Promise<void> {
  await settle(page)
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })
  if (!options.thirdParty) await checkAccessibility(page, name)
}

export const test = base.extend<{ watch: Watch }, { server: Server }>({
  server: [
    async ({}, use) => {
      rmSync(artifacts, { recursive: true, force: true })
      mkdirSync(artifacts, { recursive: true })
      const server = await startServer()
      await use(server)
      await server.stop()
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  watch: async ({}, use) => {
    const watch = new Watch()
    await use(watch)
    expect(watch.errors, 'no console errors during the walk').toEqual([])
  },
})

/**
 * The same fixtures on a server of this spec file's own (a worker of its own): for a walk whose
 * changes would show in another file's counts or prompts on the shared server (a 受理 counted in
 * the story's 受理情况统计, a bureau reviewer that hides the story's 去录入审核人员 prompt).
 */
export const testOnOwnServer = test.extend<{}, { server: Server }>({
  server: [
    async ({}, use) => {
      const server = await startServer()
      await use(server)
      await server.stop()
    },
    { scope: 'worker', timeout: 90_000 },
  ],
})

export { expect }
