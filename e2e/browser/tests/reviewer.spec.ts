// A reviewer's day at the demo hospital: three files waiting; she goes from one to the next
// without the list, steps back and forth, reads the evidence beside the form, on a desktop and
// on a phone; the org admin's list says 查看.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { ok, submittedDeclaration, tokenOf } from '../lib/scene'
import { makePdf } from '../lib/pdf'
import { DEMO_PASSWORD } from '../lib/server'
import { beijingYear, confirmBox, login, menu, pick } from '../lib/ui'
import { registerPersonApi } from '../lib/api'
import { PASSWORD } from '../lib/actors'
import { idNumber } from '../lib/ids'

const HOSPITAL = '济阳区人民医院'

test('a reviewer goes from one file to the next without the list, with the evidence beside the form', async ({ browser, server, watch, playwright }) => {
  const api = await playwright.request.newContext({ baseURL: server.base })
  const year = Number(beijingYear())
  const people = [
    { username: 'nurse_li', realName: '李护士', seq: 102, phone: '13905319921' },
    { username: 'nurse_zhao', realName: '赵护士', seq: 104, phone: '13905319922' },
    { username: 'nurse_qian', realName: '钱护士', seq: 106, phone: '13905319923' },
  ]
  const ids: string[] = []
  for (const who of people) ids.push(await submittedDeclaration(api, who, `济南市${HOSPITAL}`, year))

  const desk = await openAs(browser, server, watch, 'hospital reviewer', { width: 1440, height: 900 })
  await login(desk, 'hospital_reviewer', DEMO_PASSWORD)
  await expect(desk.getByTestId('reviews-table').locator('.el-table__body-wrapper tr')).toHaveCount(3)

  await test.step('she sorts by 姓名 or 申报时间, and the order is there again when she comes back', async () => {
    const table = desk.getByTestId('reviews-table')
    const names = () => table.locator('.el-table__body-wrapper tr td:first-child')
    const header = (label: string) => table.locator('.el-table__header th', { hasText: label })
    await header('姓名').click()
    // By code point: 李 < 赵 < 钱, whatever order they were submitted in.
    await expect(names()).toHaveText([/李护士/, /赵护士/, /钱护士/])
    await shot(desk, 'reviews-sorted-by-name')
    await desk.reload()
    await expect(names()).toHaveText([/李护士/, /赵护士/, /钱护士/])
    await expect(header('姓名')).toHaveClass(/ascending/)
    // 申报时间 starts with the latest: 钱 was submitted last.
    await header('申报时间').click()
    await expect(names()).toHaveText([/钱护士/, /赵护士/, /李护士/])
  })

  await desk.getByTestId('reviews-table').getByTestId('open-review').first().click()
  await expect(desk.getByTestId('review-position')).toHaveText('第 1 条，共 3 条')
  const first = desk.url()

  await test.step('下一条 and 上一条 step through the list she came from', async () => {
    await desk.getByTestId('review-next').click()
    await expect(desk.getByTestId('review-position')).toHaveText('第 2 条，共 3 条')
    expect(desk.url()).not.toBe(first)
    await desk.getByTestId('review-prev').click()
    await expect(desk).toHaveURL(first)
    await expect(desk.getByTestId('review-position')).toHaveText('第 1 条，共 3 条')
  })

  await test.step('申报信息 reads as text, and the evidence opens beside the form under its own name', async () => {
    const info = desk.getByTestId('info-view')
    await expect(info).toContainText('汉族')
    await expect(info.locator('input')).toHaveCount(0)
    // The work item has no end date: it reads 至今.
    await expect(desk.locator('[data-section="work"]')).toContainText('至今')
    await desk.locator('[data-section="education"]').getByTestId('evidence-preview').first().click()
    const viewer = desk.getByTestId('evidence-viewer')
    await expect(viewer.getByTestId('viewer-name')).toHaveText('毕业证书.pdf')
    await expect(viewer.getByTestId('viewer-page').first()).toHaveAttribute('data-rendered', 'true')
    await expect(viewer.getByTestId('viewer-page').first()).toHaveAttribute('aria-label', '毕业证书.pdf 第 1 页')
    // Beside, not over: the form and the viewer share the screen.
    const formBox = await desk.locator('.review-main').boundingBox()
    const viewerBox = await viewer.boundingBox()
    expect(viewerBox && formBox && viewerBox.x >= formBox.x + formBox.width - 1).toBe(true)
    await shot(desk, 'review-viewer')
  })

  await test.step('the decision bar stays in view while she scrolls', async () => {
    await desk.mouse.wheel(0, 4000)
    await expect(desk.getByTestId('review-approve')).toBeInViewport()
  })

  await test.step('after 审核通过 the next waiting file opens, not the list', async () => {
    await desk.getByTestId('review-approve').click()
    await desk.locator('.el-message-box textarea').fill('符合条件')
    await confirmBox(desk)
    await expect(desk.locator('.el-message--success', { hasText: '审核通过' })).toBeVisible()
    await expect(desk).not.toHaveURL(first)
    await expect(desk).toHaveURL(/\/reviews\/[^/]+$/)
    await expect(desk.getByTestId('review-actions')).toContainText(/赵护士|钱护士|李护士/)
    await expect(desk.getByTestId('review-approve')).toBeVisible()
    await shot(desk, 'review-next-opened')
  })

  const phone = await openAs(browser, server, watch, 'hospital reviewer on a phone', { width: 390, height: 844 })
  await test.step('on a phone: the list as cards with the status, the bar at the bottom, the viewer in a drawer', async () => {
    await login(phone, 'hospital_reviewer', DEMO_PASSWORD)
    const cards = phone.getByTestId('row-card')
    // Two still wait: the desktop approved one.
    await expect(cards).toHaveCount(2)
    await expect(cards.first().getByTestId('status-tag')).toBeInViewport()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(phone, 'phone-reviews')
    // 排序 on a phone: a choice above the cards, remembered when she comes back.
    const titles = () => cards.locator('.row-card-title').allTextContents()
    const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
    await pick(phone, phone.getByTestId('reviews-sort'), /^姓名 升序$/)
    await expect.poll(async () => { const t = await titles(); return t.length === 2 && t.join() === [...t].sort(byCodePoint).join() }).toBe(true)
    await pick(phone, phone.getByTestId('reviews-sort'), /^姓名 降序$/)
    await expect.poll(async () => { const t = await titles(); return t.length === 2 && t.join() === [...t].sort(byCodePoint).reverse().join() }).toBe(true)
    const descending = await titles()
    await phone.reload()
    await expect(phone.getByTestId('reviews-sort')).toContainText('姓名 降序')
    await expect.poll(titles).toEqual(descending)
    await cards.first().getByTestId('open-review').click()
    await expect(phone.getByTestId('review-position')).toHaveText('第 1 条，共 2 条')
    await phone.mouse.wheel(0, 3000)
    await expect(phone.getByTestId('review-approve')).toBeInViewport()
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await expect(phone.getByTestId('info-view').locator('input')).toHaveCount(0)
    await expect(phone.locator('[data-section="work"]')).toContainText('至今')
    await shot(phone, 'phone-review')
    await phone.locator('[data-section="education"]').getByTestId('evidence-preview').first().click()
    await expect(phone.getByTestId('viewer-name')).toHaveText('毕业证书.pdf')
    await expect(phone.getByTestId('viewer-page').first()).toHaveAttribute('data-rendered', 'true')
    await shot(phone, 'phone-review-viewer')
    await phone.getByTestId('viewer-close').click()
    await expect(phone.getByTestId('evidence-viewer')).toBeHidden()
  })

  await test.step('on a phone: 下一条 and 上一条, and after 审核通过 the next waiting file opens, not the list', async () => {
    const firstOnPhone = phone.url()
    const firstName = await phone.getByTestId('review-actions').locator('strong').textContent()
    await phone.getByTestId('review-next').click()
    await expect(phone.getByTestId('review-position')).toHaveText('第 2 条，共 2 条')
    await expect(phone).not.toHaveURL(firstOnPhone)
    await expect(phone.getByTestId('review-actions').locator('strong')).not.toHaveText(firstName ?? '')
    await shot(phone, 'phone-review-next')
    await phone.getByTestId('review-prev').click()
    await expect(phone).toHaveURL(firstOnPhone)
    await expect(phone.getByTestId('review-position')).toHaveText('第 1 条，共 2 条')
    await expect(phone.getByTestId('review-actions').locator('strong')).toHaveText(firstName ?? '')

    await phone.getByTestId('review-approve').click()
    await phone.locator('.el-message-box textarea').fill('符合条件')
    await confirmBox(phone)
    await expect(phone.locator('.el-message--success', { hasText: '审核通过' })).toBeVisible()
    // The other one, still waiting, opens by itself.
    await expect(phone).not.toHaveURL(firstOnPhone)
    await expect(phone).toHaveURL(/\/reviews\/[^/]+$/)
    await expect(phone.getByTestId('review-approve')).toBeVisible()
    const remaining = await phone.getByTestId('review-actions').locator('strong').textContent()
    expect(people.map((p) => p.realName)).toContain(remaining)
    expect(remaining).not.toBe(firstName)
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(phone, 'phone-review-next-opened')
  })

  await test.step("the org admin's list says 查看, not 审核", async () => {
    const admin = await openAs(browser, server, watch, 'hospital admin', { width: 1440, height: 900 })
    await login(admin, 'jiyang_hospital', DEMO_PASSWORD)
    await menu(admin, '职称申报数据审核')
    await expect(admin.getByTestId('admin-list-hint')).toBeVisible()
    await expect(admin.getByTestId('reviews-table').getByTestId('open-review').first()).toHaveText('查看')
    await shot(admin, 'reviews-admin')
    const adminPhone = await openAs(browser, server, watch, 'hospital admin on a phone', { width: 390, height: 844 })
    await login(adminPhone, 'jiyang_hospital', DEMO_PASSWORD)
    await adminPhone.goto('/reviews')
    await expect(adminPhone.getByTestId('admin-list-hint')).toBeVisible()
    const adminCards = adminPhone.getByTestId('reviews-cards').getByTestId('row-card')
    await expect(adminCards.first()).toBeVisible()
    await expect(adminCards.getByTestId('open-review').first()).toHaveText('查看')
    await expect(adminCards.getByRole('button', { name: '审核', exact: true })).toHaveCount(0)
    expect(await adminPhone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(adminPhone, 'phone-reviews-admin')
  })
  await api.dispose()
})

for (const size of [
  { name: 'desktop', viewport: { width: 1440, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
]) {
  test(`an org without a real-name reviewer is told so on its list, with 去录入审核人员 (${size.name})`, async ({ browser, server, watch }) => {
    const page = await openAs(browser, server, watch, `street admin (${size.name})`, size.viewport)
    await login(page, 'jiyang_street', DEMO_PASSWORD)
    await page.getByRole('button', { name: '稍后' }).click()
    if (size.name === 'phone') {
      await page.getByTestId('menu-toggle').click()
      await page.locator('.el-drawer .el-menu-item', { hasText: '职称申报数据审核' }).click()
    } else {
      await menu(page, '职称申报数据审核')
    }
    await expect(page.getByTestId('no-reviewer-banner')).toContainText('尚未录入实名制审核人员')
    if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `reviews-no-reviewer-${size.name}`)
    await page.getByTestId('go-reviewers').click()
    await expect(page.getByTestId('new-reviewer-dialog')).toBeVisible()
  })
}

for (const size of [
  { name: 'desktop', viewport: { width: 1366, height: 768 }, seq: 221 },
  { name: 'phone', viewport: { width: 390, height: 844 }, seq: 223 },
]) {
  test(`a person is told before she fills a step: no reporting path at that employer, a year already declared (${size.name})`, async ({ browser, server, watch }) => {
    // A person of her own per width: the year she declares is hers alone.
    const username = `year_rule_${size.name}`
    await registerPersonApi(server, { username, password: PASSWORD, realName: size.name === 'phone' ? '年度乙' : '年度甲', idNumber: idNumber('19930303', size.seq), phone: `13905318${size.seq}` })
    const page = await openAs(browser, server, watch, `person (${size.name})`, size.viewport)
    await login(page, username, PASSWORD)
    await page.goto('/declarations')
    const start = async () => {
      await page.getByTestId('new-declaration').click()
      await page.getByTestId('copy-skip').click()
    }
    const choose = async (series: RegExp, level: RegExp) => {
      const form = page.getByTestId('new-declaration-form')
      await pick(page, form.getByTestId('decl-series'), series)
      await pick(page, form.getByTestId('decl-level'), level)
    }
    const employ = async () => {
      const form = page.getByTestId('new-declaration-form')
      await form.getByTestId('org-search-input').fill('人民医院')
      await form.getByTestId('org-search-button').click()
      await form.getByTestId('org-search-confirm').click()
    }
    await start()
    // The demo hospital reports 卫生 only: 工程 there is said at once, not at 确认申报.
    await choose(/^工程$/, /^中级/)
    await employ()
    await expect(page.getByTestId('path-missing')).toContainText('尚未开通工程中级的上报路径')
    if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `declaration-new-warning-${size.name}`)
    await choose(/^卫生$/, /^中级/)
    await expect(page.getByTestId('path-missing')).toBeHidden()
    await pick(page, page.getByTestId('decl-specialty'), /^护理学$/)
    await employ()
    await page.getByTestId('create-declaration').click()
    await expect(page.getByTestId('declaration-head')).toBeVisible()
    // A second one for the same year is said before anything is filled in.
    await page.goto('/declarations')
    await start()
    await expect(page.getByTestId('year-taken')).toContainText(`${beijingYear()}年度您已有申报`)
    await expect(page.getByTestId('create-declaration')).toBeDisabled()
    await shot(page, `declaration-year-taken-${size.name}`)
  })
}

for (const size of [
  { name: 'desktop', viewport: { width: 1366, height: 768 }, seq: 225 },
  { name: 'phone', viewport: { width: 390, height: 844 }, seq: 227 },
]) {
  test(`本次修改 shows a changed item's before and after and a removed file (${size.name})`, async ({ browser, server, watch, playwright }) => {
    // Set up through the API: submitted, returned with the 学历 item flagged, the item changed
    // (another school, its certificate replaced by a clearer one) and submitted again.
    const api = await playwright.request.newContext({ baseURL: server.base })
    const who = { username: `changes_${size.name}`, realName: size.name === 'phone' ? '改动乙' : '改动甲', seq: size.seq, phone: `13905318${size.seq}` }
    const id = await submittedDeclaration(api, who, `济南市${HOSPITAL}`, Number(beijingYear()))
    const reviewer = { Authorization: `Bearer ${await tokenOf(api, 'hospital_reviewer', DEMO_PASSWORD)}` }
    const review = await ok<{ declaration: { version: number; items: Array<{ id: string; section: string }> } }>(api.get(`/api/v1/reviews/${id}`, { headers: reviewer }), 'review')
    const education = review.declaration.items.find((item) => item.section === 'education')
    if (!education) throw new Error('no 学历 item')
    await ok(api.post(`/api/v1/reviews/${id}/return`, {
      headers: { ...reviewer, 'If-Match': String(review.declaration.version) },
      data: { opinion: '学历证书不清晰', items: [{ item_id: education.id, opinion: '请核对毕业院校并上传清晰的证书' }], add_sections: [], info_opinion: null },
    }), 'return')
    const person = { Authorization: `Bearer ${await tokenOf(api, who.username, PASSWORD)}` }
    const clearer = await ok<{ id: string }>(api.post('/api/v1/attachments', { headers: person, multipart: { file: { name: '毕业证书（清晰）.pdf', mimeType: 'application/pdf', buffer: makePdf('毕业证书（清晰）') } } }), 'upload')
    await ok(api.patch(`/api/v1/declarations/${id}/items/${education.id}`, {
      headers: person,
      data: { data: { school: '山东大学', major: '护理学', education: '大学本科', graduation_date: '2012-06-30' }, attachment_ids: [clearer.id] },
    }), 'change the item')
    const read = await ok<{ plan: { pledge_sha256: string } | null }>(api.get(`/api/v1/declarations/${id}`, { headers: person }), 'read')
    await ok(api.post(`/api/v1/declarations/${id}/submit`, { headers: person, data: read.plan ? { pledge_sha256: read.plan.pledge_sha256, pledge_accepted: true } : {} }), 'resubmit')

    const page = await openAs(browser, server, watch, `hospital reviewer (${size.name})`, size.viewport)
    await login(page, 'hospital_reviewer', DEMO_PASSWORD)
    await page.goto(`/reviews/${id}`)
    const summary = page.getByTestId('change-summary')
    await expect(summary.getByTestId('change-count')).toHaveText('本次修改 1 条')
    const entry = summary.getByTestId('change-entry')
    await expect(entry).toHaveCount(1)
    await expect(entry).toContainText('学历')
    const school = entry.getByTestId('change-field').filter({ hasText: '毕业院校' })
    await expect(school.locator('.before')).toHaveText('山东第一医科大学')
    await expect(school.locator('.after')).toHaveText('山东大学')
    // Only what changed is listed: 所学专业 and the rest stayed.
    await expect(entry.getByTestId('change-field')).toHaveCount(1)
    await expect(entry.getByTestId('change-file-removed')).toHaveText('删除材料：毕业证书.pdf')
    await expect(entry.getByTestId('change-file-added')).toHaveText('新增材料：毕业证书（清晰）.pdf')
    if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `review-change-values-${size.name}`)
    await api.dispose()
  })
}
