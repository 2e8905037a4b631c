// The review list at the 卫生健康局 (1366×768 and 390×844), with files from two employers set up
// through the API: a second hospital under it (registered, its 卫生 path approved, its reviewer
// registered) next to the demo one. Sorting by 申报单位 really reorders the rows, and the filters
// and the order she set are there again after a reload and after leaving the list.
import type { APIRequestContext, Page } from '@playwright/test'
import { test, expect, openAs, shot } from '../lib/fixtures'
import { PASSWORD } from '../lib/actors'
import { idNumber, uscc } from '../lib/ids'
import { ok, reviewChain, submittedDeclaration, tokenOf, type Chain } from '../lib/scene'
import { DEMO_PASSWORD } from '../lib/server'
import { beijingYear, login, pick } from '../lib/ui'

const DEMO_HOSPITAL = '济南市济阳区人民医院'
const SECOND = '济阳区中医院'
const people = {
  demoPending: { username: 'sort_renmin', realName: '孙人民', seq: 241, phone: '13905318241' },
  demoApproved: { username: 'sort_approved', realName: '周通过', seq: 243, phone: '13905318243' },
  secondPending: { username: 'sort_zhongyi', realName: '吴中医', seq: 245, phone: '13905318245' },
}

/** The scene, once per server: the second hospital and three files waiting at the 卫生健康局. */
let scene: Promise<Chain> | null = null
let sceneFor = ''

async function setUp(api: APIRequestContext, base: string): Promise<Chain> {
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
  const year = Number(beijingYear())
  const chain = await reviewChain(api, 'sort', 251, false)
  const healthAdmin = await tokenOf(api, 'jiyang_health', DEMO_PASSWORD)
  const orgs = await ok<{ items: Array<{ id: string; name: string }> }>(api.get(`/api/v1/orgs?q=${encodeURIComponent('卫生健康局')}`, { headers: bearer(healthAdmin) }), 'orgs')
  const health = orgs.items.find((o) => o.name === '济南市济阳区卫生健康局')
  if (!health) throw new Error(`no 卫生健康局 at ${base}`)
  await ok(api.post('/api/v1/auth/register/org', {
    data: {
      name: SECOND, uscc: uscc('12370126MA0000255'), kind: 'institution', region_code: '370126', address: '济阳区中医路1号',
      contact_name: '马主任', contact_phone: '0531-84221255', admin_username: 'sort_tcm', admin_password: PASSWORD,
    },
  }), 'register the second hospital')
  const tcmAdmin = await tokenOf(api, 'sort_tcm', PASSWORD)
  await ok(api.post('/api/v1/paths', { headers: bearer(tcmAdmin), data: { series: 'health', level: 'intermediate', parent_org_id: health.id } }), 'apply path')
  const audits = await ok<{ items: Array<{ id: string; org: { name: string } }> }>(api.get('/api/v1/path-audits', { headers: bearer(healthAdmin) }), 'path audits')
  const pending = audits.items.find((row) => row.org.name === SECOND)
  if (!pending) throw new Error(`no path audit for ${SECOND}: ${JSON.stringify(audits)}`)
  await ok(api.post(`/api/v1/paths/${pending.id}/approve`, { headers: bearer(healthAdmin), data: {} }), 'approve path')
  await ok(api.post('/api/v1/org/reviewers', {
    headers: bearer(tcmAdmin),
    data: { real_name: '马审核', id_number: idNumber('19800101', 257), phone: '13905318257', username: 'sort_tcm_reviewer', password: PASSWORD },
  }), 'tcm reviewer')
  const tcmReviewer = await tokenOf(api, 'sort_tcm_reviewer', PASSWORD)

  const upTo = async (who: { username: string; realName: string; seq: number; phone: string }, employer: string, reviewer: string) => {
    const id = await submittedDeclaration(api, who, employer, year)
    await ok(api.post(`/api/v1/reviews/${id}/approve`, { headers: bearer(reviewer), data: {} }), 'approve')
    await ok(api.post('/api/v1/reports', { headers: bearer(reviewer), data: { declaration_ids: [id] } }), 'report')
    return id
  }
  const approved = await upTo(people.demoApproved, DEMO_HOSPITAL, chain.hospital)
  await ok(api.post(`/api/v1/reviews/${approved}/approve`, { headers: bearer(chain.health), data: {} }), 'approve at the 卫生健康局')
  await upTo(people.demoPending, DEMO_HOSPITAL, chain.hospital)
  // Reported last: the newest change, first in the list until she sorts.
  await upTo(people.secondPending, SECOND, tcmReviewer)
  return chain
}

const sizes = [
  { name: 'desktop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const

for (const size of sizes) {
  test(`the review list sorts by 申报单位 and keeps her filters and order (${size.name})`, async ({ browser, server, watch, playwright }) => {
    const api = await playwright.request.newContext({ baseURL: server.base })
    if (!scene || sceneFor !== server.base) {
      sceneFor = server.base
      scene = setUp(api, server.base)
    }
    await scene
    const phone = size.name === 'phone'
    const page = await openAs(browser, server, watch, `health reviewer (${size.name})`, size.viewport)
    await login(page, 'sort_health_reviewer', PASSWORD)
    await page.goto('/reviews')
    const orgsShown = () => phone
      ? page.getByTestId('reviews-cards').getByTestId('row-card').locator('dd:nth-of-type(2)')
      : page.getByTestId('reviews-table').locator('.el-table__body-wrapper tr td:nth-child(7)')
    const namesShown = () => phone
      ? page.getByTestId('reviews-cards').getByTestId('row-card').locator('.row-card-title')
      : page.getByTestId('reviews-table').locator('.el-table__body-wrapper tr td:first-child')
    const sortBy = async (label: string, order: '升序' | '降序') => {
      if (phone) await pick(page, page.getByTestId('reviews-sort'), `${label} ${order}`)
      else {
        // The header turns 升序 → 降序 → none on each click: clicked until it says the one she wants.
        const header = page.getByTestId('reviews-table').locator('.el-table__header th', { hasText: label })
        const wanted = order === '升序' ? /\bascending\b/ : /\bdescending\b/
        for (let clicks = 0; clicks < 3; clicks++) {
          const before = (await header.getAttribute('class')) ?? ''
          if (wanted.test(before)) break
          // On the header's edge, not its centre: the centre of this column lands on the 降序 caret.
          await header.click({ position: { x: 6, y: 6 } })
          await expect.poll(async () => (await header.getAttribute('class')) ?? '').not.toBe(before)
        }
        await expect(header).toHaveClass(wanted)
      }
    }

    // 待审核 (her default): the newest first — the second hospital's file.
    await expect(orgsShown()).toHaveText([SECOND, DEMO_HOSPITAL])
    // 申报单位 升序 by code point (济南… before 济阳…): the order changes.
    await sortBy('申报单位', '升序')
    await expect(orgsShown()).toHaveText([DEMO_HOSPITAL, SECOND])
    await expect(namesShown()).toHaveText([new RegExp(people.demoPending.realName), new RegExp(people.secondPending.realName)])
    if (phone) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `reviews-sorted-by-org-${size.name}`)
    await sortBy('申报单位', '降序')
    await expect(orgsShown()).toHaveText([SECOND, DEMO_HOSPITAL])
    await sortBy('申报单位', '升序')
    await expect(orgsShown()).toHaveText([DEMO_HOSPITAL, SECOND])

    // A status filter: 通过未上报 shows the one file she approved.
    await pick(page, page.getByTestId('filter-status'), /^通过未上报$/)
    await expect(namesShown()).toHaveText([new RegExp(people.demoApproved.realName)])
    // Reloaded, and left and come back to: the filter and the order are still hers.
    const stillApplied = async (where: Page) => {
      await expect(where.getByTestId('filter-status')).toContainText('通过未上报')
      await expect(namesShown()).toHaveText([new RegExp(people.demoApproved.realName)])
      await pick(where, where.getByTestId('filter-status'), /^待审核$/)
      await expect(orgsShown()).toHaveText([DEMO_HOSPITAL, SECOND])
      if (phone) await expect(where.getByTestId('reviews-sort')).toContainText('申报单位 升序')
      else await expect(where.getByTestId('reviews-table').locator('.el-table__header th', { hasText: '申报单位' })).toHaveClass(/\bascending\b/)
      await pick(where, where.getByTestId('filter-status'), /^通过未上报$/)
    }
    await page.reload()
    await stillApplied(page)
    await page.goto('/account')
    await page.goto('/reviews')
    await stillApplied(page)
    await shot(page, `reviews-remembered-${size.name}`)
    await api.dispose()
  })
}
