// The bureau at the end of the chain, at 1366×768 and 390×844: two declarations set up through
// the API wait there (approved and reported by the demo hospital and the 卫生健康局); its reviewer
// 受理s one, and 不予受理s the other — refused without a reason, sent back with one — and the
// applicant reads that reason on her declaration. On a server of its own: its 受理 and its bureau
// reviewer would change what the story counts and is prompted for on the shared one.
import { testOnOwnServer as test, expect, openAs, shot } from '../lib/fixtures'
import { PASSWORD } from '../lib/actors'
import { ok, reportedToBureau, reviewChain, tokenOf } from '../lib/scene'
import { beijingYear, confirmBox, login } from '../lib/ui'

const sizes = [
  { name: 'desktop', viewport: { width: 1366, height: 768 }, seq: 201 },
  { name: 'phone', viewport: { width: 390, height: 844 }, seq: 211 },
] as const

for (const size of sizes) {
  test(`the bureau's 受理, and 不予受理 with the reason required and read by the applicant (${size.name})`, async ({ browser, server, watch, playwright }) => {
    const api = await playwright.request.newContext({ baseURL: server.base })
    const year = Number(beijingYear())
    const chain = await reviewChain(api, `bu_${size.name}`, size.seq)
    const bureauToken = chain.bureau ?? ''
    const toAccept = { username: `bu_accept_${size.name}`, realName: size.name === 'phone' ? '受理乙' : '受理甲', seq: size.seq + 4, phone: `13905318${size.seq + 4}` }
    const toRefuse = { username: `bu_refuse_${size.name}`, realName: size.name === 'phone' ? '退件乙' : '退件甲', seq: size.seq + 6, phone: `13905318${size.seq + 6}` }
    const acceptId = await reportedToBureau(api, chain, toAccept, year)
    const refuseId = await reportedToBureau(api, chain, toRefuse, year)
    const statusOf = async (who: { username: string }, id: string) => {
      const token = await tokenOf(api, who.username, PASSWORD)
      return (await ok<{ status: string }>(api.get(`/api/v1/declarations/${id}`, { headers: { Authorization: `Bearer ${token}` } }), 'read')).status
    }
    const fits = async (page: import('@playwright/test').Page) => {
      if (size.name === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    }

    const bureau = await openAs(browser, server, watch, `bureau reviewer (${size.name})`, size.viewport)
    await login(bureau, chain.bureauUsername, PASSWORD)

    await test.step('受理', async () => {
      await bureau.goto(`/reviews/${acceptId}`)
      await expect(bureau.getByTestId('review-actions')).toContainText(toAccept.realName)
      await expect(bureau.getByTestId('review-approve')).toHaveText('受理')
      await bureau.getByTestId('review-approve').click()
      await bureau.locator('.el-message-box textarea').fill('予以受理')
      await confirmBox(bureau)
      await expect(bureau.locator('.el-message--success', { hasText: '已受理' })).toBeVisible()
      expect(await statusOf(toAccept, acceptId)).toBe('accepted')
    })

    await test.step('不予受理: refused without a reason, sent back with one', async () => {
      const waiting = await statusOf(toRefuse, refuseId)
      await bureau.goto(`/reviews/${refuseId}`)
      await expect(bureau.getByTestId('review-actions')).toContainText(toRefuse.realName)
      await bureau.getByTestId('review-reject').click()
      await expect(bureau.getByTestId('review-reject')).toHaveText('不予受理')
      await bureau.getByTestId('review-return').click()
      await expect(bureau.locator('.reject-card .el-form-item.is-error')).toContainText('请填写不予受理的原因')
      await expect(bureau.locator('.el-message-box')).toHaveCount(0)
      await fits(bureau)
      await shot(bureau, `bureau-not-accept-reason-required-${size.name}`)
      expect(await statusOf(toRefuse, refuseId)).toBe(waiting)
      // The server holds the same rule: no reason, no 不予受理 (422, the reason's field named).
      const version = (await ok<{ declaration: { version: number } }>(api.get(`/api/v1/reviews/${refuseId}`, { headers: { Authorization: `Bearer ${bureauToken}` } }), 'review')).declaration.version
      const bare = await api.post(`/api/v1/reviews/${refuseId}/return`, { headers: { Authorization: `Bearer ${bureauToken}`, 'If-Match': String(version) }, data: { opinion: '  ', items: [], add_sections: [], info_opinion: null } })
      expect(bare.status()).toBe(422)
      expect(JSON.stringify((await bare.json()).errors)).toContain('/opinion')

      await bureau.getByTestId('reject-opinion').fill('继续教育学时未达到本年度要求，请补充后重新申报')
      await bureau.getByTestId('review-return').click()
      await confirmBox(bureau)
      await expect(bureau.locator('.el-message--success', { hasText: '已不予受理' })).toBeVisible()
      expect(await statusOf(toRefuse, refuseId)).toBe('returned')
    })

    await test.step('the applicant reads the reason on her declaration', async () => {
      const person = await openAs(browser, server, watch, `applicant (${size.name})`, size.viewport)
      await login(person, toRefuse.username, PASSWORD)
      await person.goto(`/declarations/${refuseId}`)
      await expect(person.getByTestId('returned-hint')).toContainText('继续教育学时未达到本年度要求')
      await fits(person)
      await shot(person, `declaration-not-accepted-${size.name}`)
    })
    await api.dispose()
  })
}
