// The seed story, entirely through the UI, on a fresh server: paths, reviewers, a declaration
// with a real PDF, a return and a fix, approval and reporting up to the bureau, and the timeline.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { PASSWORD, authority, bureau, institution, nurseInfo, nurseItems, person, reviewers } from '../lib/actors'
import { DEMO_PASSWORD } from '../lib/server'
import { readFileSync } from 'node:fs'
import { applyPath, approvePath, login, newDeclaration, registerOrg, registerPerson, registerReviewer } from '../lib/steps'
import { evidenceFiles } from '../lib/files'
import { fillAll } from '../lib/forms'
import { confirmBox } from '../lib/ui'

test('the seed story, walked through the UI', async ({ browser, server, watch }) => {
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

    await login(hospital, institution.admin, PASSWORD)
    await hospital.getByRole('button', { name: '稍后' }).click()
    await applyPath(hospital, '卫生', /^中级/, '医疗保障', authority.name)

    await login(hrss, bureau.username, DEMO_PASSWORD)
    await hrss.getByTestId('reviewer-prompt-go').click()
    await expect(hrss.getByTestId('new-reviewer-dialog')).toBeVisible()
    await registerReviewer(hrss, reviewers.bureau)
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

  const nurse = await openAs(browser, server, watch, 'person')
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
    await confirmBox(nurse)
    const list = nurse.getByTestId('problem-list')
    await expect(list).toBeVisible()
    await expect(list).toContainText('请核对姓名、身份证号、联系方式')
    await expect(list).toContainText('请填写性别')
    await expect(nurse.locator('#basic-info .el-form-item[data-field="gender"] .el-form-item__error')).toContainText('请填写性别')
    await expect(nurse.locator('#section-education [data-test="section-problem"]')).toContainText('学历')
    await shot(nurse, 'declaration-problems')
  })

  await test.step('基本信息 confirmed and 申报信息 filled in', async () => {
    const basic = nurse.getByTestId('basic-info')
    await expect(basic).toContainText(person.realName)
    await expect(basic).toContainText(person.idNumber)
    await basic.getByTestId('confirm-basic').click()
    await fillAll(nurse, basic, [...nurseInfo])
    await basic.getByTestId('save-info').click()
    await expect(nurse.locator('.el-message--success', { hasText: '保存成功' })).toBeVisible()
    await expect(nurse.getByTestId('problem-list')).not.toContainText('请填写性别')
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
    const popup = nurse.waitForEvent('popup')
    await card.getByTestId('evidence-preview').click()
    const tab = await popup
    expect(tab.url()).toMatch(/^blob:/)
    await tab.close()
  })

  await test.step('确认申报 goes through and the declaration sits with the employer', async () => {
    await nurse.getByTestId('submit-declaration').click()
    await confirmBox(nurse)
    await expect(nurse).toHaveURL(/\/progress$/)
    await expect(nurse.getByTestId('current-holder')).toContainText(institution.name)
    await expect(nurse.getByTestId('timeline')).toContainText('确认申报')
    await shot(nurse, 'progress-submitted')
  })
})
