// The screens of the walk, one function per thing a user does, all through the UI.
import { expect, type Page } from '@playwright/test'
import { PASSWORD } from './actors'
import { confirmBox, login, menu, pick, pickDivision, row } from './ui'

export async function registerOrg(page: Page, org: { name: string; uscc: string; kind: string; region: string[]; address: string; contact: string; phone: string; admin: string }): Promise<void> {
  await page.goto('/login')
  await page.getByRole('link', { name: '单位注册' }).click()
  await expect(page.getByRole('heading', { name: '单位注册' })).toBeVisible()
  await page.locator('input[name="org-name"]').fill(org.name)
  await page.locator('input[name="uscc"]').fill(org.uscc)
  await pick(page, page.getByTestId('org-kind'), org.kind)
  const region = page.getByTestId('org-region-picker').locator('.el-cascader')
  await pickDivision(page, region, org.region)
  await expect(region.locator('input')).toHaveValue(org.region.join('/'))
  await page.locator('input[name="address"]').fill(org.address)
  await page.locator('input[name="contact_name"]').fill(org.contact)
  await page.locator('input[name="contact_phone"]').fill(org.phone)
  await page.locator('input[name="admin_username"]').fill(org.admin)
  await page.locator('input[name="admin_password"]').fill(PASSWORD)
  await page.locator('input[name="confirm"]').fill(PASSWORD)
  await page.getByTestId('register-submit').click()
  await expect(page).toHaveURL(/\/login\?account=/)
}

export async function registerPerson(page: Page, who: { username: string; realName: string; idNumber: string; phone: string }): Promise<void> {
  await page.goto('/login')
  await page.getByRole('link', { name: '个人注册' }).click()
  await page.locator('input[name="username"]').fill(who.username)
  await page.locator('input[name="password"]').fill(PASSWORD)
  await page.locator('input[name="confirm"]').fill(PASSWORD)
  await page.locator('input[name="real_name"]').fill(who.realName)
  await page.locator('input[name="id_number"]').fill(who.idNumber)
  await page.locator('input[name="phone"]').fill(who.phone)
  await page.getByTestId('register-submit').click()
  await expect(page).toHaveURL(/\/login\?account=/)
}

/** 单位路径申请 → 新增路径 → 系列, one or more 级别, search the parent, 确认选择, 确定保存. */
export async function applyPath(page: Page, series: string, level: RegExp | RegExp[], parentQuery: string, parentName: string): Promise<void> {
  await menu(page, '单位路径申请')
  await page.getByTestId('add-path').click()
  const dialog = page.getByTestId('new-path-dialog')
  await pick(page, dialog.getByTestId('path-series'), new RegExp(`^${series}$`))
  // 职称级别 is a multiple choice: the list stays open until she leaves it.
  await dialog.getByTestId('path-level').click()
  for (const one of Array.isArray(level) ? level : [level]) {
    await page.locator('.el-select-dropdown__item:visible', { hasText: one }).first().click()
  }
  await page.keyboard.press('Escape')
  await expect(page.locator('.el-select-dropdown:visible')).toHaveCount(0)
  await dialog.getByTestId('org-search-input').fill(parentQuery)
  await dialog.getByTestId('org-search-button').click()
  await dialog.getByTestId('org-search-results').getByText(parentName).click()
  await dialog.getByTestId('org-search-confirm').click()
  await expect(dialog.getByTestId('path-audit-org')).toHaveValue(parentName)
  await dialog.getByTestId('path-save').click()
  await expect(dialog).toBeHidden()
  await expect(row(page, 'paths-table', parentName).first()).toContainText('待审核')
}

/** 单位路径审核 → 审核通过 the pending path of an applicant for a series. */
export async function approvePath(page: Page, applicant: string, series = '卫生'): Promise<void> {
  await menu(page, '单位路径审核')
  const line = row(page, 'path-audits-table', applicant).filter({ hasText: series }).first()
  await line.getByTestId('path-approve').click()
  await confirmBox(page)
  await expect(page.locator('.el-message--success', { hasText: '路径已开通' })).toBeVisible()
  // A screenshot taken while the confirm box fades out and the toast fades in fails axe's
  // contrast check on a loaded machine: the page is judged once both are gone.
  await expect(page.locator('.el-message-box')).toHaveCount(0)
  await expect(page.locator('.el-message')).toHaveCount(0)
}

/** 单位路径审核 → 审核不通过 with the reason the applicant will read. */
export async function rejectPath(page: Page, applicant: string, series: string, reason: string): Promise<void> {
  await menu(page, '单位路径审核')
  await row(page, 'path-audits-table', applicant).filter({ hasText: series }).first().getByTestId('path-reject').click()
  await page.getByTestId('path-reject-confirm').click()
  await expect(page.getByText('请输入审核不通过的原因')).toBeVisible()
  await page.getByTestId('path-reject-reason').fill(reason)
  await page.getByTestId('path-reject-confirm').click()
  await expect(page.locator('.el-message--success', { hasText: '已退回路径申请' })).toBeVisible()
}

/** 审核人员 → 录入审核人员 (实名制), with its own login. */
export async function registerReviewer(page: Page, who: { username: string; realName: string; idNumber: string; phone: string }): Promise<void> {
  const dialog = page.getByTestId('new-reviewer-dialog')
  if (!(await dialog.isVisible())) {
    await menu(page, '审核人员')
    await page.getByTestId('add-reviewer').click()
  }
  await dialog.locator('input[name="reviewer-name"]').fill(who.realName)
  await dialog.locator('input[name="reviewer-id-number"]').fill(who.idNumber)
  await dialog.locator('input[name="reviewer-phone"]').fill(who.phone)
  await dialog.locator('input[name="reviewer-username"]').fill(who.username)
  await dialog.locator('input[name="reviewer-password"]').fill(PASSWORD)
  await dialog.locator('input[name="reviewer-confirm"]').fill(PASSWORD)
  await dialog.getByTestId('reviewer-save').click()
  await expect(dialog).toBeHidden()
  await expect(row(page, 'reviewers-table', who.username)).toContainText(who.realName)
}

export { login }

/** 新增申报信息 → 跳过 → year, kind, series, level, specialty, employer → 下一步. */
export async function newDeclaration(page: Page, o: { series: string; level: RegExp; specialty: string; employerQuery: string; employer: string }): Promise<void> {
  await page.getByTestId('new-declaration').click()
  await expect(page.getByTestId('copy-question')).toContainText('是否采用往年申报信息')
  await page.getByTestId('copy-skip').click()
  const form = page.getByTestId('new-declaration-form')
  await pick(page, form.getByTestId('decl-series'), new RegExp(`^${o.series}$`))
  await pick(page, form.getByTestId('decl-level'), o.level)
  await pick(page, form.getByTestId('decl-specialty'), new RegExp(`^${o.specialty}$`))
  await form.getByTestId('org-search-input').fill(o.employerQuery)
  await form.getByTestId('org-search-button').click()
  await form.getByTestId('org-search-results').getByText(o.employer).click()
  await form.getByTestId('org-search-confirm').click()
  await expect(form.getByTestId('decl-employer')).toHaveText(o.employer)
  await form.getByTestId('create-declaration').click()
  await expect(page.getByTestId('declaration-head')).toBeVisible()
}

/** 职称申报数据审核: open the declaration of `applicant` in the list (filtered by 审核状态). */
export async function openReview(page: Page, applicant: string, status = '待审核'): Promise<void> {
  await menu(page, '职称申报数据审核')
  await pick(page, page.getByTestId('filter-status'), new RegExp(`^${status}$`))
  await page.getByTestId('filter-search').click()
  await row(page, 'reviews-table', applicant).getByTestId('open-review').click()
  await expect(page.getByTestId('review-actions')).toContainText(applicant)
}

/** 审核通过 with an opinion. */
export async function approveReview(page: Page, opinion: string, done = '审核通过'): Promise<void> {
  await page.getByTestId('review-approve').click()
  await page.locator('.el-message-box textarea').fill(opinion)
  await confirmBox(page)
  await expect(page.locator('.el-message--success', { hasText: done })).toBeVisible()
}

/** 职称申报数据上报: 年度, 申报级别, 职称系列, 查询, tick the row, 数据上报, confirm; the result names the parent. */
export async function reportUp(page: Page, o: { year: string; level: string; series: string; applicant: string; to: string }): Promise<void> {
  await menu(page, '职称申报数据上报')
  const year = page.getByTestId('filter-year').locator('input')
  await year.click()
  await year.fill(o.year)
  await year.press('Enter')
  await page.keyboard.press('Escape')
  await pick(page, page.getByTestId('filter-level'), new RegExp(`^${o.level}$`))
  await pick(page, page.getByTestId('filter-series'), new RegExp(`^${o.series}$`))
  await page.getByTestId('filter-search').click()
  const line = row(page, 'report-table', o.applicant)
  await line.locator('.el-checkbox').click()
  await page.getByTestId('report-submit').click()
  await expect(page.locator('.el-message-box')).toContainText('1 条')
  await confirmBox(page)
  await expect(page.getByTestId('report-summary')).toContainText(`已上报 1 条至 ${o.to}`)
  await expect(page.getByTestId('report-outcomes')).toContainText(`${o.applicant}：上报成功`)
}
