// An organisation's 行政区划 chosen from the national 省/市/区县 cascader at 单位注册 (before any
// login) and shown by its full name to the bureau; and the lists that were still tables on a
// phone — the bureau's overview, 申报计划, 批量导入, the 统计看板's tables, the audit log — with
// 数据上报 (rows to tick) and 公示, as cards at 390 px with their status on top: each at 1366×768
// (tables) and 390×844 (cards, no sideways scroll), screenshots in e2e/artifacts/ and axe-core.
import type { Page } from '@playwright/test'
import { test, expect, openAs, shot } from '../lib/fixtures'
import { PASSWORD } from '../lib/actors'
import { idNumber, uscc } from '../lib/ids'
import { publishedResult } from '../lib/publicity'
import { ok, submittedDeclaration, tokenOf } from '../lib/scene'
import { ADMIN_PASSWORD, DEMO_PASSWORD, startServer } from '../lib/server'
import { beijingYear, login, pick, pickDivision } from '../lib/ui'
import { xlsx } from '../lib/xlsx'

const sizes = [
  { name: 'desktop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const

/** The page is no wider than the screen: nothing scrolls sideways. */
async function fitsWidth(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }))
  expect(scrollWidth, 'page width').toBeLessThanOrEqual(innerWidth)
}

for (const [index, size] of sizes.entries()) {
  test(`单位注册 chooses its 行政区划 from the 省/市/区县 cascader and the bureau sees it by name (${size.name})`, async ({ browser, server, watch }) => {
    const name = `济阳区区划测试局${index + 1}`
    const admin = `region_org_${size.name}`
    const page = await openAs(browser, server, watch, `visitor (${size.name})`, size.viewport)
    await page.goto('/register/org')
    await expect(page.getByRole('heading', { name: '单位注册' })).toBeVisible()
    await page.locator('input[name="org-name"]').fill(name)
    await page.locator('input[name="uscc"]').fill(uscc(`1137012${index + 1}MA00000${index + 7}`.padEnd(17, '0')))
    await pick(page, page.getByTestId('org-kind'), '主管部门')
    const region = page.getByTestId('org-region-picker').locator('.el-cascader')
    // The cascader ends at the county: 商河县 closes it, no 乡镇（街道） is offered.
    await pickDivision(page, region, ['山东省', '济南市', '商河县'])
    await expect(region.locator('input')).toHaveValue('山东省/济南市/商河县')
    await page.locator('input[name="address"]').fill('商河县许商街道1号')
    await page.locator('input[name="contact_name"]').fill('钱科长')
    await page.locator('input[name="contact_phone"]').fill('0531-84221234')
    await page.locator('input[name="admin_username"]').fill(admin)
    await page.locator('input[name="admin_password"]').fill(PASSWORD)
    await page.locator('input[name="confirm"]').fill(PASSWORD)
    if (size.name === 'phone') await fitsWidth(page)
    await shot(page, `register-org-region-${size.name}`)
    await page.getByTestId('register-submit').click()
    await expect(page).toHaveURL(/\/login\?account=/)

    // The bureau over 370126 finds it waiting for 单位认证, its region by full name and code.
    const bureau = await openAs(browser, server, watch, `bureau admin (${size.name})`, size.viewport)
    await login(bureau, 'jiyang_hrss', DEMO_PASSWORD)
    await bureau.goto('/bureau/orgs')
    const entry = size.name === 'phone'
      ? bureau.getByTestId('org-verification-cards').getByTestId('row-card').filter({ hasText: name })
      : bureau.getByTestId('org-verification-table').locator('.el-table__body-wrapper tr', { hasText: name })
    await expect(entry.getByTestId('org-region')).toHaveText('行政区划：山东省/济南市/商河县（370126）')
    if (size.name === 'phone') {
      await expect(entry.locator('.row-card-status')).toContainText('未认证')
      await fitsWidth(bureau)
    }
    await shot(bureau, `bureau-org-region-${size.name}`)
  })
}

test('the lists still tables on a phone are cards there with their status on top, and tables on a desktop', async ({ browser, watch, playwright }) => {
  // A committee's worth of second-factor logins and votes on a 2-core machine, then two widths.
  test.setTimeout(480_000)
  const server = await startServer()
  const api = await playwright.request.newContext({ baseURL: server.base })
  try {
    const year = Number(beijingYear())
    const hospital = '济南市济阳区人民医院'
    // Passed and published: a row of the bureau's overview and of 公示.
    const passed = { username: 'card_passed', realName: '钱晓红', seq: 171, phone: '13905319971' }
    await publishedResult(api, passed)
    // Approved at the hospital and not reported: a row to tick in 数据上报; the hospital holds it.
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
    const hospitalReviewer = await tokenOf(api, 'hospital_reviewer', DEMO_PASSWORD)
    const toTick = { username: 'card_tick', realName: '李晓青', seq: 172, phone: '13905319972' }
    const tickId = await submittedDeclaration(api, toTick, hospital, year)
    await ok(api.post(`/api/v1/reviews/${tickId}/approve`, { headers: bearer(hospitalReviewer), data: {} }), 'approve')
    // Reported up to the bureau: one accepted there (受理, a row of its overview), one waiting (待审核).
    const healthReviewer = await tokenOf(api, 'cert_health_reviewer', PASSWORD)
    const reportedUp = async (who: { username: string; realName: string; seq: number; phone: string }) => {
      const id = await submittedDeclaration(api, who, hospital, year)
      for (const reviewer of [hospitalReviewer, healthReviewer]) {
        await ok(api.post(`/api/v1/reviews/${id}/approve`, { headers: bearer(reviewer), data: {} }), 'approve')
        await ok(api.post('/api/v1/reports', { headers: bearer(reviewer), data: { declaration_ids: [id] } }), 'report')
      }
      return id
    }
    const accepted = { username: 'card_accept', realName: '吴晓白', seq: 174, phone: '13905319974' }
    const acceptedId = await reportedUp(accepted)
    const bureauReviewer = await tokenOf(api, 'cert_hrss_reviewer', PASSWORD)
    await ok(api.post(`/api/v1/reviews/${acceptedId}/approve`, { headers: bearer(bureauReviewer), data: { opinion: '受理' } }), '受理')
    const waiting = { username: 'card_wait', realName: '周晓蓝', seq: 176, phone: '13905319976' }
    await reportedUp(waiting)
    const bureauToken = await tokenOf(api, 'jiyang_hrss', DEMO_PASSWORD)
    const plans = await ok<{ items: Array<{ name: string; window_label: string }> }>(api.get('/api/v1/plans?mine=true', { headers: bearer(bureauToken) }), 'plans')
    expect(plans.items.length).toBeGreaterThan(0)

    for (const [index, size] of sizes.entries()) {
      const phone = size.name === 'phone'
      const bureau = await openAs(browser, server, watch, `bureau admin (${size.name})`, size.viewport)
      await login(bureau, 'jiyang_hrss', DEMO_PASSWORD)

      // The bureau's overview: what it accepted, each with where it stands.
      await bureau.goto('/bureau')
      if (phone) {
        const card = bureau.getByTestId('bureau-cards').getByTestId('row-card').filter({ hasText: accepted.realName })
        await expect(card.locator('.row-card-status')).toHaveText('受理')
        await expect(bureau.getByTestId('bureau-table')).toHaveCount(0)
        await fitsWidth(bureau)
      } else {
        await expect(bureau.getByTestId('bureau-table').locator('.el-table__body-wrapper tr', { hasText: accepted.realName })).toContainText('受理')
      }
      await shot(bureau, `bureau-overview-${size.name}`)

      // 申报计划: each plan's window (申报中 …) on top.
      await bureau.goto('/plans')
      const plan = plans.items[0]
      if (phone) {
        const card = bureau.getByTestId('plans-cards').getByTestId('row-card').filter({ hasText: plan.name })
        await expect(card.locator('.row-card-status')).toHaveText(plan.window_label)
        await expect(card.getByTestId('extend-plan')).toBeVisible()
        await expect(bureau.getByTestId('plans-table')).toHaveCount(0)
        await fitsWidth(bureau)
      } else {
        await expect(bureau.getByTestId('plans-table')).toContainText(plan.window_label)
      }
      await shot(bureau, `plans-${size.name}`)

      // 统计看板: who below still holds files (待审核 count on top) and what waits longest (its status).
      await bureau.goto('/dashboard')
      if (phone) {
        const holder = bureau.getByTestId('dashboard-holders-cards').getByTestId('row-card').filter({ hasText: hospital })
        await expect(holder.locator('.row-card-status')).toHaveText('通过未上报 1')
        const longest = bureau.getByTestId('dashboard-waiting-cards').getByTestId('row-card').filter({ hasText: waiting.realName })
        await expect(longest.locator('.row-card-status')).toHaveText('待审核')
        await expect(bureau.getByTestId('dashboard-holders')).toHaveCount(0)
        await expect(bureau.getByTestId('dashboard-waiting')).toHaveCount(0)
        await fitsWidth(bureau)
      } else {
        await expect(bureau.getByTestId('dashboard-waiting')).toContainText(waiting.realName)
        await expect(bureau.getByTestId('dashboard-holders')).toContainText(hospital)
      }
      await shot(bureau, `dashboard-${size.name}`)

      // 批量导入 at the hospital: a refused sheet's problems, then an accepted sheet's people.
      const hospitalAdmin = await openAs(browser, server, watch, `hospital admin (${size.name})`, size.viewport)
      await login(hospitalAdmin, 'jiyang_hospital', DEMO_PASSWORD)
      await hospitalAdmin.goto('/imports')
      const header = ['姓名', '身份证号', '手机号码', '专业']
      await hospitalAdmin.getByTestId('import-file').setInputFiles({
        name: '申报人员.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: xlsx([header, ['赵导入', '360426199101010072', '13905319981', '护理学']]),
      })
      if (phone) {
        const problem = hospitalAdmin.getByTestId('import-problem-cards').getByTestId('row-card')
        await expect(problem).toHaveCount(1)
        await expect(problem.locator('.row-card-title')).toHaveText('第 2 行')
        await expect(problem.locator('.row-card-status')).toHaveText('身份证号')
        await expect(hospitalAdmin.getByTestId('import-problems')).toHaveCount(0)
        await fitsWidth(hospitalAdmin)
      } else {
        await expect(hospitalAdmin.getByTestId('import-problems')).toContainText('身份证号')
      }
      await shot(hospitalAdmin, `import-problems-${size.name}`)
      const imported = `导入${index === 0 ? '甲' : '乙'}`
      await hospitalAdmin.getByTestId('import-file').setInputFiles({
        name: '申报人员.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: xlsx([header, [imported, idNumber('19920303', 181 + index), `1390531998${5 + index}`, '护理学']]),
      })
      if (phone) {
        const person = hospitalAdmin.getByTestId('import-result-cards').getByTestId('row-card')
        await expect(person).toHaveCount(1)
        await expect(person.locator('.row-card-title')).toHaveText(imported)
        await expect(person.locator('.row-card-status')).toHaveText('已导入')
        await expect(hospitalAdmin.getByTestId('import-result')).toHaveCount(0)
        await fitsWidth(hospitalAdmin)
      } else {
        await expect(hospitalAdmin.getByTestId('import-result')).toContainText(imported)
      }
      await shot(hospitalAdmin, `import-result-${size.name}`)

      // 数据上报: the approved file (通过未上报) is a card with its status and a box to tick.
      const reviewer = await openAs(browser, server, watch, `hospital reviewer (${size.name})`, size.viewport)
      await login(reviewer, 'hospital_reviewer', DEMO_PASSWORD)
      await reviewer.goto('/reports')
      if (phone) {
        const card = reviewer.getByTestId('report-cards').getByTestId('row-card').filter({ hasText: toTick.realName })
        await expect(card.locator('.row-card-status')).toHaveText('通过未上报')
        const tick = card.getByTestId('report-tick')
        await tick.click()
        await expect(tick).toHaveClass(/is-checked/)
        await expect(reviewer.getByTestId('report-table')).toHaveCount(0)
        await fitsWidth(reviewer)
      } else {
        await expect(reviewer.getByTestId('report-table').locator('.el-table__body-wrapper tr', { hasText: toTick.realName })).toContainText('通过未上报')
      }
      await shot(reviewer, `reports-${size.name}`)

      // 公示: anyone, without a login, sees the result on top of each entry.
      const visitor = await openAs(browser, server, watch, `visitor (${size.name})`, size.viewport)
      await visitor.goto('/publicity')
      if (phone) {
        const card = visitor.getByTestId('publicity-cards').getByTestId('row-card').filter({ hasText: passed.realName })
        await expect(card.locator('.row-card-status')).toHaveText('通过')
        await fitsWidth(visitor)
      } else {
        await expect(visitor.locator('.el-table__body-wrapper tr', { hasText: passed.realName })).toContainText('通过')
      }
      await shot(visitor, `publicity-${size.name}`)

      // The audit log: each entry's result on top.
      const admin = await openAs(browser, server, watch, `platform admin (${size.name})`, size.viewport)
      await login(admin, 'admin', ADMIN_PASSWORD)
      await admin.goto('/admin/audit')
      if (phone) {
        const cards = admin.getByTestId('audit-cards').getByTestId('row-card')
        await expect(cards.first().locator('.row-card-status')).toHaveText(/^(成功|失败)$/)
        await expect(cards.filter({ hasText: 'login' }).first()).toBeVisible()
        await expect(admin.getByTestId('audit-table')).toHaveCount(0)
        await fitsWidth(admin)
      } else {
        await expect(admin.getByTestId('audit-table').locator('.el-table__body-wrapper tr').first()).toBeVisible()
      }
      await shot(admin, `audit-${size.name}`)
      for (const page of [bureau, hospitalAdmin, reviewer, visitor, admin]) await page.context().close()
    }
  } finally {
    await api.dispose()
    await server.stop()
  }
})
