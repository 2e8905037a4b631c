// The seed story, entirely through the UI, on a fresh server: paths, reviewers, a declaration
// with a real PDF, a return and a fix, approval and reporting up to the bureau, and the timeline.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { PASSWORD, authority, bureau, institution, nurseInfo, nurseItems, person, reviewers } from '../lib/actors'
import { DEMO_PASSWORD } from '../lib/server'
import { readFileSync } from 'node:fs'
import { applyPath, approvePath, approveReview, login, newDeclaration, openReview, registerOrg, registerPerson, registerReviewer, rejectPath, reportUp } from '../lib/steps'
import { evidenceFiles } from '../lib/files'
import { apiToken, publishPlan } from '../lib/api'
import { fillAll } from '../lib/forms'
import { acceptPledgeAndSubmit, beijingYear, confirmBox, menu, pick, row, slowSaves } from '../lib/ui'

test('the seed story, walked through the UI', async ({ browser, server, watch }) => {
  // The whole story, a dozen accounts, on a shared 2-core machine.
  test.setTimeout(420_000)
  const visitor = await openAs(browser, server, watch, 'visitor')

  await test.step('an institution, an authority and a person register', async () => {
    await registerOrg(visitor, institution)
    await registerOrg(visitor, authority)
    await registerPerson(visitor, person)
  })

  const hospital = await openAs(browser, server, watch, 'institution')
  const medsec = await openAs(browser, server, watch, 'authority')
  const hrss = await openAs(browser, server, watch, 'bureau')

  await test.step('paths: institution → authority → bureau, each approved by its parent', async () => {
    await login(medsec, authority.admin, PASSWORD)
    // First entry without a reviewer: the admin is asked to register one; later.
    await expect(medsec.getByTestId('reviewer-prompt')).toBeVisible()
    await medsec.getByRole('button', { name: '稍后' }).click()
    await applyPath(medsec, '卫生', /^中级/, '人力资源', bureau.name)
    await shot(medsec, 'path-apply')

    // 单位认证: the self-registered authority is no parent until the bureau vouches for it.
    await login(hrss, bureau.username, DEMO_PASSWORD)
    await hrss.getByTestId('reviewer-prompt-go').click()
    await expect(hrss.getByTestId('new-reviewer-dialog')).toBeVisible()
    await registerReviewer(hrss, reviewers.bureau)
    await menu(hrss, '单位认证审核')
    await row(hrss, 'org-verification-table', authority.name).getByTestId('org-verify').click()
    await confirmBox(hrss)
    await expect(row(hrss, 'org-verification-table', authority.name)).toHaveCount(0)
    // As for 路径审核 (fa2036c): judged once the confirm box and the toast have gone, not while
    // they fade (the walk once failed axe here under load).
    await expect(hrss.locator('.el-message-box')).toHaveCount(0)
    await expect(hrss.locator('.el-message')).toHaveCount(0)
    await shot(hrss, 'org-verification')

    await login(hospital, institution.admin, PASSWORD)
    await hospital.getByRole('button', { name: '稍后' }).click()
    // A wrong application first: the authority refuses it with a reason the hospital reads.
    await applyPath(hospital, '经济', /^中级/, '医疗保障', authority.name)
    await rejectPath(medsec, institution.name, '经济', '医院不申报经济系列，请申请卫生系列')
    await hospital.reload()
    await expect(row(hospital, 'paths-table', '经济')).toContainText('审核不通过')
    await expect(row(hospital, 'paths-table', '经济')).toContainText('医院不申报经济系列')
    await applyPath(hospital, '卫生', /^中级/, '医疗保障', authority.name)

    await approvePath(hrss, authority.name)

    await approvePath(medsec, institution.name)
    await shot(medsec, 'path-audit')
    await hospital.reload()
    await expect(hospital.getByTestId('paths-table')).toContainText('审核通过')
  })

  await test.step('the institution and the authority register their real-name reviewers', async () => {
    await registerReviewer(hospital, reviewers.institution)
    await shot(hospital, 'reviewers')
    await registerReviewer(medsec, reviewers.authority)
  })

  let nurse = await openAs(browser, server, watch, 'person')
  const context = nurse.context()
  const files = evidenceFiles()
  let declarationUrl = ''

  await test.step('the person declares: 新增申报信息, 跳过, the basics', async () => {
    await login(nurse, person.username, PASSWORD)
    await expect(nurse.getByRole('heading', { name: '职称评审申报' })).toBeVisible()
    await newDeclaration(nurse, { series: '卫生', level: /^中级/, specialty: '护理学', employerQuery: '中医医院', employer: institution.name })
    declarationUrl = nurse.url()
    await shot(nurse, 'declaration-new')
  })

  await test.step('确认申报 too early: every problem is listed and shown next to its place', async () => {
    await nurse.getByTestId('submit-declaration').click()
    await acceptPledgeAndSubmit(nurse)
    const list = nurse.getByTestId('problem-list')
    await expect(list).toBeVisible()
    await expect(list).toContainText('请核对姓名、身份证号、联系方式')
    await expect(list).toContainText('请填写民族')
    // 性别 and 出生日期 come from the ID number (19880612, an even sequence: 女), shown, not typed.
    await expect(list).not.toContainText('性别')
    await expect(nurse.locator('#basic-info .el-form-item[data-field="gender"] .el-select')).toContainText('女')
    await expect(nurse.locator('#basic-info .el-form-item[data-field="birth_date"] input')).toHaveValue('1988-06-12')
    await expect(nurse.locator('#basic-info .el-form-item[data-field="ethnicity"] .el-form-item__error')).toContainText('请填写民族')
    await expect(nurse.locator('#section-education [data-test="section-problem"]')).toContainText('学历')
    await shot(nurse, 'declaration-problems')
  })

  await test.step('基本信息: what she types survives leaving the page and a closed tab', async () => {
    const basic = nurse.getByTestId('basic-info')
    await expect(basic).toContainText(person.realName)
    await expect(basic).toContainText(person.idNumber)
    // She leaves at once, before her changes are saved (the saves held, as on a slow line): she
    // is asked, and 保存并离开 saves before the page goes.
    const saves = await slowSaves(nurse, declarationUrl.replace(/^https?:\/\/[^/]+/, '**/api/v1'))
    saves.hold()
    await basic.getByTestId('confirm-basic').click()
    await fillAll(nurse, basic, nurseInfo.slice(0, 2))
    await menu(nurse, '职称评审申报进度')
    await expect(nurse.getByTestId('leave-dialog')).toContainText('有未保存的修改')
    await nurse.getByTestId('leave-dialog').getByTestId('leave-save').click()
    saves.release()
    await expect(nurse).not.toHaveURL(declarationUrl)
    await nurse.goto(declarationUrl)
    await expect(nurse.locator('#basic-info [data-field="ethnicity"] .el-select')).toContainText('汉族')
    await expect(nurse.locator('#basic-info [data-field="education"] .el-select')).toContainText('大学本科')
    await expect(nurse.getByTestId('confirm-basic').locator('input')).toBeChecked()
    // Then she types more and the tab is closed (a crash): the next visit brings it back.
    await fillAll(nurse, nurse.getByTestId('basic-info'), nurseInfo.slice(2, 3))
    await nurse.close({ runBeforeUnload: false })
    nurse = watch.attach(await context.newPage(), 'person')
    // The session lived in the closed tab; the typed value lives in this browser.
    await login(nurse, person.username, PASSWORD)
    await nurse.goto(declarationUrl)
    await expect(nurse.getByTestId('restored')).toBeVisible()
    await expect(nurse.locator('#basic-info [data-field="major"] input')).toHaveValue('护理学')
    await expect(nurse.getByTestId('autosave-state')).toContainText('已自动保存')
    await shot(nurse, 'declaration-restored')
    const basicAgain = nurse.getByTestId('basic-info')
    await fillAll(nurse, basicAgain, nurseInfo.slice(3))
    await basicAgain.getByTestId('save-info').click()
    await expect(nurse.locator('.el-message--success', { hasText: '保存成功' })).toBeVisible()
  })

  await test.step('each section gets its item; evidence is checked in the browser, then uploaded', async () => {
    let first = true
    for (const item of nurseItems) {
      const section = nurse.locator(`#section-${item.section}`)
      await section.getByTestId('add-item').click()
      const editor = section.getByTestId('item-editor')
      await fillAll(nurse, editor, [...item.fields])
      if (item.evidence) {
        const input = editor.getByTestId('evidence-input')
        if (first) {
          await input.setInputFiles(files.fake)
          await expect(editor.getByTestId('upload-error')).toContainText('仅支持PDF、JPG、PNG格式')
          await input.setInputFiles(files.big)
          await expect(editor.getByTestId('upload-error')).toContainText('单个文件大小不超过5MB')
          await shot(nurse, 'upload-refused')
          first = false
        }
        await input.setInputFiles(files.pdf)
        await expect(editor.getByTestId('evidence-file')).toContainText('学历证书.pdf')
      }
      await editor.getByTestId('save-item').click()
      await expect(section.getByTestId('item-card')).toHaveCount(1)
    }
    await shot(nurse, 'declaration-form')
  })

  await test.step('the evidence previews and downloads', async () => {
    const card = nurse.locator('#section-education').getByTestId('item-card')
    const download = nurse.waitForEvent('download')
    await card.getByTestId('evidence-download').click()
    const file = await download
    expect(file.suggestedFilename()).toBe('学历证书.pdf')
    const saved = await file.path()
    expect(readFileSync(saved).subarray(0, 5).toString()).toBe('%PDF-')
    // The preview opens in a viewer under the file's name, not a blob tab titled with a UUID.
    await card.getByTestId('evidence-preview').click()
    const viewer = nurse.getByTestId('evidence-viewer')
    await expect(viewer.getByTestId('viewer-name')).toHaveText('学历证书.pdf')
    await expect(viewer.getByTestId('viewer-page').first()).toHaveAttribute('data-rendered', 'true')
    await viewer.getByTestId('viewer-close').click()
    await expect(viewer).toBeHidden()
  })

  await test.step('确认申报 goes through and the declaration sits with the employer', async () => {
    await nurse.getByTestId('submit-declaration').click()
    await acceptPledgeAndSubmit(nurse)
    await expect(nurse).toHaveURL(/\/progress$/)
    await expect(nurse.getByTestId('current-holder')).toContainText(institution.name)
    await expect(nurse.getByTestId('timeline')).toContainText('确认申报')
    await shot(nurse, 'progress-submitted')
  })

  const tcmReviewer = await openAs(browser, server, watch, 'institution reviewer')

  await test.step('the institution reviewer returns it with an item opinion and opens a section', async () => {
    await login(tcmReviewer, reviewers.institution.username, PASSWORD)
    await expect(tcmReviewer.getByRole('heading', { name: '职称申报数据审核' })).toBeVisible()
    await openReview(tcmReviewer, person.realName)
    await expect(tcmReviewer.locator('[data-section="education"]')).toContainText('山东第一医科大学')
    await shot(tcmReviewer, 'review')
    await tcmReviewer.getByTestId('review-reject').click()
    await tcmReviewer.getByTestId('reject-opinion').fill('学历证书扫描件不清晰，请补充专业技术职称')
    const education = tcmReviewer.locator('[data-section="education"]')
    await education.getByTestId('flag-item').click()
    await education.getByTestId('item-opinion-input').fill('请上传清晰的学历证书')
    await tcmReviewer.getByTestId('add-sections').getByText('专业技术职称').click()
    await shot(tcmReviewer, 'review-return')
    await tcmReviewer.getByTestId('review-return').click()
    await confirmBox(tcmReviewer)
    await expect(tcmReviewer.locator('.el-message--success', { hasText: '已退回到申报人个人账号' })).toBeVisible()
    // Nothing else waits here: the reviewer is told so and is back at the list.
    await expect(tcmReviewer.locator('.el-message--success', { hasText: '没有待审核的申报了' })).toBeVisible()
    await expect(tcmReviewer.getByTestId('reviews-table')).toBeVisible()
  })

  await test.step('the person sees the return; only the flagged item and the opened section can change', async () => {
    await nurse.goto(declarationUrl)
    await expect(nurse.getByTestId('returned-hint')).toContainText('学历证书扫描件不清晰')
    const education = nurse.locator('#section-education')
    await expect(education.getByTestId('flag-modify')).toHaveText('修改')
    await expect(education.getByTestId('item-opinion')).toContainText('请上传清晰的学历证书')
    await expect(nurse.locator('#section-work').getByTestId('edit-item')).toHaveCount(0)
    await expect(nurse.locator('#section-work').getByTestId('add-item')).toHaveCount(0)
    await expect(nurse.locator('#section-title').getByTestId('add-item')).toBeVisible()
    await expect(nurse.getByTestId('save-info')).toHaveCount(0)
    await shot(nurse, 'declaration-returned')

    await education.getByTestId('edit-item').click()
    const editor = education.getByTestId('item-editor')
    await editor.getByTestId('evidence-input').setInputFiles(files.pdf)
    await expect(editor.getByTestId('evidence-file')).toHaveCount(2)
    await editor.getByTestId('save-item').click()
    await expect(education.getByTestId('item-card')).toBeVisible()

    const title = nurse.locator('#section-title')
    await title.getByTestId('add-item').click()
    const titleEditor = title.getByTestId('item-editor')
    await fillAll(nurse, titleEditor, [
      { key: 'title_name', type: 'text', value: '护师' },
      { key: 'obtained_date', type: 'date', value: '2015-12-01' },
    ])
    await titleEditor.getByTestId('evidence-input').setInputFiles(files.pdf)
    await expect(titleEditor.getByTestId('evidence-file')).toHaveCount(1)
    await titleEditor.getByTestId('save-item').click()
    await expect(title.getByTestId('flag-add')).toHaveText('新增')

    await nurse.getByTestId('submit-declaration').click()
    await acceptPledgeAndSubmit(nurse)
    await expect(nurse).toHaveURL(/\/progress$/)
    await expect(nurse.getByTestId('timeline')).toContainText('修改后重新申报')
  })

  await test.step('the resubmission says exactly what changed since the return (本次修改)', async () => {
    await menu(tcmReviewer, '职称申报数据审核')
    await expect(row(tcmReviewer, 'reviews-table', person.realName).getByTestId('resubmitted')).toHaveText('重新申报')
    await openReview(tcmReviewer, person.realName)
    const summary = tcmReviewer.getByTestId('change-summary')
    await expect(summary.getByTestId('change-count')).toHaveText('本次修改 2 条')
    const entries = summary.getByTestId('change-entry')
    await expect(entries).toHaveCount(2)
    await expect(entries.nth(0)).toContainText('学历')
    await expect(entries.nth(0).getByTestId('change-file-added')).toContainText('学历证书.pdf')
    await expect(entries.nth(1)).toContainText('新增')
    await expect(entries.nth(1)).toContainText('专业技术职称')
    await expect(entries.nth(1)).toContainText('护师')
    await expect(summary).not.toContainText('工作简历')
    // Each entry leads to its item, which shows the same change in place.
    await entries.nth(1).locator('a').click()
    await expect(tcmReviewer.locator('[data-section="title"] [data-test="item-change"]')).toBeInViewport()
    await shot(tcmReviewer, 'review-changes')
    // The same summary on a 390 px phone: exactly the two changed items, nothing sideways.
    const reviewUrl = tcmReviewer.url()
    await tcmReviewer.setViewportSize({ width: 390, height: 844 })
    await tcmReviewer.goto('/reviews')
    const resubmittedCard = tcmReviewer.getByTestId('reviews-cards').getByTestId('row-card').filter({ hasText: person.realName })
    await expect(resubmittedCard.getByTestId('resubmitted')).toHaveText('重新申报')
    await shot(tcmReviewer, 'phone-reviews-resubmitted')
    await tcmReviewer.goto(reviewUrl)
    const phoneSummary = tcmReviewer.getByTestId('change-summary')
    await expect(phoneSummary.getByTestId('change-count')).toHaveText('本次修改 2 条')
    await expect(phoneSummary.getByTestId('change-entry')).toHaveCount(2)
    await expect(phoneSummary.getByTestId('change-entry').nth(1)).toContainText('护师')
    await expect(phoneSummary).not.toContainText('工作简历')
    expect(await tcmReviewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(tcmReviewer, 'phone-review-changes')
    await tcmReviewer.setViewportSize({ width: 1366, height: 768 })
    await tcmReviewer.reload()
  })

  await test.step('approved at the institution (通过未上报), then reported to the authority', async () => {
    await expect(tcmReviewer.locator('[data-section="title"]')).toContainText('护师')
    await approveReview(tcmReviewer, '同意上报')
    await menu(tcmReviewer, '职称申报数据审核')
    await pick(tcmReviewer, tcmReviewer.getByTestId('filter-status'), /^通过未上报$/)
    await tcmReviewer.getByTestId('filter-search').click()
    await expect(row(tcmReviewer, 'reviews-table', person.realName)).toContainText('通过未上报')
    await reportUp(tcmReviewer, { year: beijingYear(), level: '中级', series: '卫生', applicant: person.realName, to: authority.name })
    await shot(tcmReviewer, 'report')
  })

  const medsecReviewer = await openAs(browser, server, watch, 'authority reviewer')
  await test.step('approved and reported at the authority', async () => {
    await login(medsecReviewer, reviewers.authority.username, PASSWORD)
    await openReview(medsecReviewer, person.realName)
    await approveReview(medsecReviewer, '符合申报条件')
    await reportUp(medsecReviewer, { year: beijingYear(), level: '中级', series: '卫生', applicant: person.realName, to: bureau.name })
  })

  const hrssReviewer = await openAs(browser, server, watch, 'bureau reviewer')
  await test.step('accepted at the bureau, which sees it counted', async () => {
    await login(hrssReviewer, reviewers.bureau.username, PASSWORD)
    await expect(hrssReviewer.getByRole('heading', { name: '受理情况统计' })).toBeVisible()
    await openReview(hrssReviewer, person.realName)
    await approveReview(hrssReviewer, '予以受理', '已受理')
    await menu(hrssReviewer, '受理情况统计')
    await expect(hrssReviewer.getByTestId('accepted-count')).toContainText('1')
    await expect(hrssReviewer.getByTestId('by-series')).toContainText('卫生')
    await expect(row(hrssReviewer, 'bureau-table', person.realName)).toContainText('受理')
    await shot(hrssReviewer, 'bureau')
  })

  await test.step('the person sees the whole timeline, level by level', async () => {
    await nurse.goto('/declarations')
    await expect(row(nurse, 'declarations-table', '卫生')).toContainText('受理')
    await menu(nurse, '职称评审申报进度')
    await expect(nurse).toHaveURL(/\/declarations\/[^/]+\/progress$/)
    const steps = nurse.getByTestId('level-steps')
    await expect(steps).toContainText(institution.name)
    await expect(steps).toContainText(authority.name)
    await expect(steps).toContainText(bureau.name)
    await expect(steps.getByTestId('level-step-status').last()).toHaveText('受理')
    const timeline = nurse.getByTestId('timeline')
    for (const action of ['确认申报', '审核不通过，退回', '修改后重新申报', '审核通过', '数据上报', '受理']) {
      await expect(timeline).toContainText(action)
    }
    await expect(timeline).toContainText('学历证书扫描件不清晰')
    await expect(timeline).toContainText(reviewers.institution.realName)
    await shot(nurse, 'progress-accepted')
  })

  await test.step("the bureau publishes next year's plan", async () => {
    await publishPlan(server, await apiToken(server, bureau.username, DEMO_PASSWORD), Number(beijingYear(1)), ['health'])
  })

  await test.step('next year: 采用往年申报信息 copies the accepted declaration into a new draft', async () => {
    await nurse.goto('/declarations')
    await nurse.getByTestId('new-declaration').click()
    await nurse.getByTestId('copy-yes').click()
    const yearInput = nurse.getByTestId('copy-year').locator('input')
    await yearInput.click()
    await yearInput.fill(beijingYear(1))
    await yearInput.press('Enter')
    await nurse.keyboard.press('Escape')
    await nurse.getByTestId('copy-pick').locator('.el-radio').first().click()
    await nurse.getByTestId('copy-next').click()
    await nurse.getByTestId('create-declaration').click()
    await expect(nurse.getByTestId('declaration-head')).toContainText(beijingYear(1))
    await expect(nurse.locator('#section-education').getByTestId('item-card')).toHaveCount(1)
    await expect(nurse.locator('#section-education')).toContainText('山东第一医科大学')
  })

  await test.step('the declaration, her list (cards with the status) and the progress on a 390 px phone', async () => {
    await nurse.setViewportSize({ width: 390, height: 844 })
    await nurse.reload()
    await expect(nurse.getByTestId('declaration-head')).toBeVisible()
    expect(await nurse.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(nurse, 'phone-declaration')
    await nurse.goto('/declarations')
    const accepted = nurse.getByTestId('row-card').filter({ hasText: '受理' })
    await expect(accepted.getByTestId('status-tag')).toBeInViewport()
    await shot(nurse, 'phone-declarations')
    await accepted.getByTestId('open-progress').click()
    await expect(nurse.getByTestId('timeline')).toBeVisible()
    expect(await nurse.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await shot(nurse, 'phone-progress')
  })
})
