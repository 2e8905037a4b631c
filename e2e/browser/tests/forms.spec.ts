// Forms that know what they ask: 工作所在地 chosen level by level from the national 行政区划 and
// shown by its full name after a reload, 民族 from the 56 the server serves; on a desktop and on
// a phone, where the person's list shows each declaration as a card with its status.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { apiToken, registerPersonApi } from '../lib/api'
import { PASSWORD } from '../lib/actors'
import { DEMO_PASSWORD } from '../lib/server'
import { idNumber } from '../lib/ids'
import { evidenceFiles } from '../lib/files'
import { fillAll } from '../lib/forms'
import { acceptPledgeAndSubmit, beijingYear, login, pick, slowSaves } from '../lib/ui'

const HOSPITAL = '济南市济阳区人民医院'
const FULL_NAME = '山东省/济南市/济阳区/济阳街道'

const sizes = [
  { name: 'desktop', viewport: { width: 1366, height: 768 }, seq: 141, phone: '13905319951' },
  { name: 'phone', viewport: { width: 390, height: 844 }, seq: 143, phone: '13905319952' },
]

for (const size of sizes) {
  test(`工作所在地 is chosen from the 行政区划 cascader, saved and shown after a reload; leaving with unsaved changes asks first; a closed tab loses nothing; 职称系列 from the catalogue (${size.name})`, async ({ browser, server, watch }) => {
    const username = `region_${size.name}`
    await registerPersonApi(server, { username, password: PASSWORD, realName: `区划${size.name === 'phone' ? '乙' : '甲'}`, idNumber: idNumber('19910202', size.seq), phone: size.phone })
    const token = await apiToken(server, username, PASSWORD)
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const orgs = (await (await fetch(`${server.base}/api/v1/orgs?q=${encodeURIComponent('人民医院')}`, { headers })).json()) as { items: Array<{ id: string; name: string }> }
    const employer = orgs.items.find((o) => o.name === HOSPITAL)
    expect(employer, HOSPITAL).toBeTruthy()
    const created = await fetch(`${server.base}/api/v1/declarations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ year: Number(beijingYear()), kind: 'title', series: 'health', level: 'intermediate', specialty: '护理学', org_id: employer?.id }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }

    let page = await openAs(browser, server, watch, `person (${size.name})`, size.viewport)
    await login(page, username, PASSWORD)
    await page.goto(`/declarations/${id}`)
    const card = page.getByTestId('basic-info')
    // 性别 and 出生日期 come from the ID number (born 19910202, an odd sequence: 男), shown, not typed.
    await expect(card.locator('[data-field="gender"] .el-select')).toContainText('男')
    await expect(card.locator('[data-field="birth_date"] input')).toHaveValue('1991-02-02')
    // 民族: the 56 from the server, nothing typed.
    await card.locator('[data-field="ethnicity"] .el-select').click()
    await expect(page.locator('.el-select-dropdown__item:visible')).toHaveCount(56)
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^回族$/ }).click()

    const region = card.locator('[data-field="work_region"]')
    await expect(region).toContainText('工作所在地')
    await region.locator('.el-cascader').click()
    for (const level of ['山东省', '济南市', '济阳区', '济阳街道']) {
      await page.locator('.division-popper .el-cascader-node:visible', { hasText: new RegExp(`^${level}$`) }).click()
    }
    await expect(page.locator('.division-popper')).toBeHidden()
    await expect(region.locator('input')).toHaveValue(FULL_NAME)
    // 确认申报 at once: what she has just chosen counts (saved first), what the ID number gives is
    // never asked for; only what is really missing is listed.
    await page.getByTestId('submit-declaration').click()
    await acceptPledgeAndSubmit(page)
    const problems = page.getByTestId('problem-list')
    await expect(problems).toBeVisible()
    await expect(problems).toContainText('学历')
    await expect(problems).not.toContainText('民族')
    await expect(problems).not.toContainText('性别')
    await expect(problems).not.toContainText('出生日期')
    if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `declaration-problems-${size.name}`)
    await expect(card.getByTestId('autosave-state')).toContainText('已自动保存')
    if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

    await page.reload()
    await expect(card.locator('[data-field="work_region"] input')).toHaveValue(FULL_NAME)
    await expect(card.locator('[data-field="ethnicity"] .el-select')).toContainText('回族')
    await shot(page, `work-region-${size.name}`)

    const stored = (await (await fetch(`${server.base}/api/v1/declarations/${id}`, { headers })).json()) as { info: Record<string, unknown> }
    expect(stored.info.work_region).toBe('370115001')

    // She changes 民族 and leaves at once through the menu (a drawer on the phone), before her
    // change is saved: she is asked first (有未保存的修改). The server is made slow for the saves
    // (held until released), so "at once" holds however loaded the machine is.
    const leaveThroughMenu = async () => {
      if (size.name === 'phone') {
        await page.getByTestId('menu-toggle').click()
        await page.locator('.el-drawer .el-menu-item', { hasText: '职称评审申报进度' }).click()
      } else {
        await page.locator('.shell-menu .el-menu-item', { hasText: '职称评审申报进度' }).click()
      }
    }
    const here = new RegExp(`/declarations/${id}$`)
    const ethnicity = card.locator('[data-field="ethnicity"] .el-select')
    const storedEthnicity = async () => ((await (await fetch(`${server.base}/api/v1/declarations/${id}`, { headers })).json()) as { info: Record<string, unknown> }).info.ethnicity
    const dialog = page.getByTestId('leave-dialog')
    const saves = await slowSaves(page, `**/api/v1/declarations/${id}`)
    saves.hold()
    await pick(page, ethnicity, /^满族$/)
    await leaveThroughMenu()
    await expect(dialog).toBeVisible()
    await expect(dialog).toContainText('有未保存的修改')
    if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `leave-dialog-${size.name}`)
    // 取消: she stays, with what she typed.
    await dialog.getByTestId('leave-stay').click()
    await expect(dialog).toBeHidden()
    await expect(page).toHaveURL(here)
    await expect(ethnicity).toContainText('满族')
    // The save then goes through; with nothing unsaved, leaving asks nothing.
    saves.release()
    await expect(card.getByTestId('autosave-state')).toContainText('已自动保存')
    expect(await storedEthnicity()).toBe('满族')
    await leaveThroughMenu()
    await expect(page).not.toHaveURL(here)
    await expect(dialog).toBeHidden()

    // 保存并离开: the page goes only once the change is saved, and it is there on her return.
    await page.goto(`/declarations/${id}`)
    saves.hold()
    await pick(page, ethnicity, /^壮族$/)
    await leaveThroughMenu()
    await dialog.getByTestId('leave-save').click()
    await expect(page).toHaveURL(here)
    saves.release()
    await expect(page).not.toHaveURL(here)
    expect(await storedEthnicity()).toBe('壮族')
    await page.goto(`/declarations/${id}`)
    await expect(ethnicity).toContainText('壮族')
    await expect(card.locator('[data-field="work_region"] input')).toHaveValue(FULL_NAME)
    await shot(page, `left-and-returned-${size.name}`)

    // A save the server refuses: leaving asks too; 保存并离开 cannot and she stays, told why;
    // 不保存离开 forgets the change, here and in this browser's copy.
    saves.refuse()
    await pick(page, ethnicity, /^苗族$/)
    await expect(card.getByTestId('autosave-state')).toContainText('自动保存失败')
    await leaveThroughMenu()
    await dialog.getByTestId('leave-save').click()
    await expect(page.locator('.el-message--warning', { hasText: '未能保存' })).toBeVisible()
    await expect(page).toHaveURL(here)
    await leaveThroughMenu()
    await dialog.getByTestId('leave-discard').click()
    await expect(page).not.toHaveURL(here)
    saves.release()
    await page.goto(`/declarations/${id}`)
    await expect(ethnicity).toContainText('壮族')
    await expect(page.getByTestId('restored')).toHaveCount(0)
    expect(await storedEthnicity()).toBe('壮族')

    // 退出登录 with a change not saved asks the same question first, while the session still
    // holds for 保存并离开.
    saves.hold()
    await pick(page, ethnicity, /^藏族$/)
    await page.getByTestId('who').click()
    await page.getByTestId('logout').click()
    await expect(dialog).toBeVisible()
    await dialog.getByTestId('leave-save').click()
    saves.release()
    await expect(page).toHaveURL(/\/login/)
    expect(await storedEthnicity()).toBe('藏族')
    await login(page, username, PASSWORD)
    await page.goto(`/declarations/${id}`)
    await expect(ethnicity).toContainText('藏族')

    // Closing the tab with a change not yet saved: the browser asks first (beforeunload), and
    // she stays. Then the tab is closed without asking (a crash): the next visit in this browser
    // brings what she typed back and saves it.
    // (Its saves refused here, as by a line that dropped: only this browser's copy has the change.)
    saves.refuse()
    await card.locator('[data-field="major"] input').fill('护理学（社区）')
    const asked = page.waitForEvent('dialog')
    await page.close({ runBeforeUnload: true })
    const prompt = await asked
    expect(prompt.type()).toBe('beforeunload')
    await prompt.dismiss()
    await expect(card.locator('[data-field="major"] input')).toHaveValue('护理学（社区）')
    const context = page.context()
    await page.close({ runBeforeUnload: false })
    page = watch.attach(await context.newPage(), `person again (${size.name})`)
    // The session lived in the closed tab; what she typed lives in this browser.
    await login(page, username, PASSWORD)
    await page.goto(`/declarations/${id}`)
    const cardAgain = page.getByTestId('basic-info')
    await expect(page.getByTestId('restored')).toBeVisible()
    await expect(cardAgain.locator('[data-field="major"] input')).toHaveValue('护理学（社区）')
    await expect(cardAgain.getByTestId('autosave-state')).toContainText('已自动保存')
    const restoredInfo = ((await (await fetch(`${server.base}/api/v1/declarations/${id}`, { headers })).json()) as { info: Record<string, unknown> }).info
    expect(restoredInfo.major).toBe('护理学（社区）')
    await shot(page, `declaration-restored-${size.name}`)

    // A year that is a past fact (年度考核's 年度) offers no future year.
    const annual = page.locator('#section-annual_review')
    await annual.getByTestId('add-item').click()
    await annual.getByTestId('item-editor').locator('.el-form-item[data-field="year"] input').click()
    const years = page.locator('.el-year-table:visible')
    await expect(years).toBeVisible()
    await expect(years.locator('td', { hasText: beijingYear() })).not.toHaveClass(/disabled/)
    await expect(years.locator('td', { hasText: beijingYear(1) })).toHaveClass(/disabled/)
    await shot(page, `year-picker-${size.name}`)
    await page.keyboard.press('Escape')

    // 职称系列 inside an item (a 专业技术职称 row) is chosen from the catalogue the server serves:
    // a list of exactly its series, nothing typed; the item is saved with the chosen name.
    const catalogue = (await (await fetch(`${server.base}/api/v1/series`, { headers })).json()) as Array<{ name: string }>
    expect(catalogue.length).toBeGreaterThan(1)
    const titleSection = page.locator('#section-title')
    await titleSection.getByTestId('add-item').click()
    const titleEditor = titleSection.getByTestId('item-editor')
    const seriesField = titleEditor.locator('.el-form-item[data-field="series"]')
    // Typing only narrows the list: a name not in the catalogue finds nothing to choose.
    await seriesField.locator('.el-select').click()
    await page.keyboard.type('自拟系列')
    await expect(page.locator('.el-select-dropdown__item:visible')).toHaveCount(0)
    await page.keyboard.press('Escape')
    await seriesField.locator('.el-select').click()
    await expect(page.locator('.el-select-dropdown__item:visible')).toHaveText(catalogue.map((one) => one.name))
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^卫生$/ }).click()
    await expect(seriesField.locator('.el-select')).toContainText('卫生')
    await fillAll(page, titleEditor, [
      { key: 'title_name', type: 'text', value: '护师' },
      { key: 'obtained_date', type: 'date', value: '2016-12-01' },
    ])
    await titleEditor.getByTestId('evidence-input').setInputFiles(evidenceFiles().pdf)
    await expect(titleEditor.getByTestId('evidence-file')).toHaveCount(1)
    if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(page, `item-series-${size.name}`)
    await titleEditor.getByTestId('save-item').click()
    await expect(titleSection.getByTestId('item-card')).toHaveCount(1)
    const withTitle = (await (await fetch(`${server.base}/api/v1/declarations/${id}`, { headers })).json()) as { items: Array<{ section: string; data: Record<string, unknown> }> }
    expect(withTitle.items.find((item) => item.section === 'title')?.data.series).toBe('卫生')

    const again = (await (await fetch(`${server.base}/api/v1/declarations/${id}`, { headers })).json()) as { info: Record<string, unknown> }
    expect(again.info.ethnicity).not.toBe(stored.info.ethnicity)

    if (size.name === 'phone') {
      // The person's list on a phone: a card per declaration, its status at the top.
      await page.goto('/declarations')
      const cards = page.getByTestId('declarations-cards').getByTestId('row-card')
      await expect(cards).toHaveCount(1)
      await expect(cards.first().locator('.row-card-status')).toBeVisible()
      await expect(cards.first().locator('.row-card-status')).toContainText('草稿')
      await expect(page.getByTestId('declarations-table')).toHaveCount(0)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await shot(page, 'phone-declaration-list-cards')
    }
  })
}


test('on a phone the reviewers\' and admins\' lists are cards with their status, not tables', async ({ browser, server, watch }) => {
  const admin = await openAs(browser, server, watch, 'hospital admin on a phone', { width: 390, height: 844 })
  await login(admin, 'jiyang_hospital', DEMO_PASSWORD)
  await admin.goto('/paths')
  const paths = admin.getByTestId('paths-cards').getByTestId('row-card')
  await expect(paths.first()).toBeVisible()
  await expect(paths.filter({ hasText: '卫生' }).first().locator('.row-card-status')).toContainText('审核通过')
  await expect(admin.getByTestId('paths-table')).toHaveCount(0)
  expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await shot(admin, 'phone-paths-cards')
  await admin.goto('/reviewers')
  const reviewers = admin.getByTestId('reviewers-cards').getByTestId('row-card')
  await expect(reviewers.first().locator('.row-card-status')).toContainText('在用')
  await expect(admin.getByTestId('reviewers-table')).toHaveCount(0)
  expect(await admin.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

  const reviewer = await openAs(browser, server, watch, 'hospital reviewer on a phone', { width: 390, height: 844 })
  await login(reviewer, 'hospital_reviewer', DEMO_PASSWORD)
  await reviewer.goto('/reports')
  await expect(reviewer.getByTestId('report-cards')).toBeVisible()
  await expect(reviewer.getByTestId('report-table')).toHaveCount(0)
  await expect(reviewer.getByTestId('report-history')).toHaveCount(0)
  expect(await reviewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await shot(reviewer, 'phone-reports-cards')
  const bureau = await openAs(browser, server, watch, 'bureau admin on a phone', { width: 390, height: 844 })
  await login(bureau, 'jiyang_hrss', DEMO_PASSWORD)
  await bureau.goto('/bureau/orgs')
  await expect(bureau.getByTestId('org-verification-cards')).toBeVisible()
  await expect(bureau.getByTestId('org-verification-table')).toHaveCount(0)
  expect(await bureau.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)

  // 公示 (no session has published one in this walk): the page holds a phone's width.
  await reviewer.goto('/publicity')
  await expect(reviewer.getByRole('heading', { level: 2 })).toBeVisible()
  expect(await reviewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
})
