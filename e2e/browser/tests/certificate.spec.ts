// 职称电子证书, from the holder's download to a stranger's check: a result is published (the steps
// before it set through the API), the 公示 period passes, the holder downloads her certificate, its
// QR code is read from the PDF itself, and that address opens the public verification page —
// without a login, on a desktop and on a phone — which says 证书有效 and shows the ID number masked.
//
// The walk has a server of its own: it registers reviewers at the demo bureau, whose first-entry
// prompt the story expects to see, and its site address must be known before the server starts
// (the QR codes carry it). The period passes on a second instance on the same database whose
// rules' clock starts past the period's end (`APP__CLOCK__OFFSET_DAYS`, read once at start); its
// periodic job makes the result final and issues the certificate.
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import { test, expect, openAs, shot } from '../lib/fixtures'
import { PASSWORD } from '../lib/actors'
import { idNumber } from '../lib/ids'
import { publishedResult } from '../lib/publicity'
import { readQrFromPdf } from '../lib/qr'
import { tokenOf } from '../lib/scene'
import { startServer, startSibling } from '../lib/server'
import { login } from '../lib/ui'

const holder = { username: 'nurse_sun', realName: '孙晓梅', seq: 128, phone: '13905319930' }
const holderId = idNumber('19900101', holder.seq)
const maskedId = `${holderId.slice(0, 6)}********${holderId.slice(14)}`

/** A port free now, for a server whose address must be set before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done))
  const address = probe.address()
  await new Promise((done) => probe.close(done))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Whole days from Beijing's today to the day after `day` (`YYYY-MM-DD`). */
function daysPast(day: string): number {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
  return (Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000 + 1
}

test('the QR code of a certificate opens the public verification page, which says it is valid with the ID number masked', async ({ browser, watch, playwright }) => {
  // A committee's worth of second-factor logins and votes, then two servers, on a 2-core machine.
  test.setTimeout(360_000)
  const port = await freePort()
  const site = `http://127.0.0.1:${port}`
  const server = await startServer({ APP__SERVER__PORT: String(port), APP__SECURITY__PUBLIC_URL: site })
  const api = await playwright.request.newContext({ baseURL: server.base })
  try {
    const published = await publishedResult(api, holder)
    const holderToken = await tokenOf(api, holder.username, PASSWORD)
    const headers = { Authorization: `Bearer ${holderToken}` }
    const mine = async () => (await (await api.get('/api/v1/me/certificates', { headers })).json()) as Array<{ number: string; verify_url: string }>
    expect(await mine(), 'no certificate while the period runs').toEqual([])

    const later = await startSibling(server, { APP__SERVER__PORT: '0', APP__CLOCK__OFFSET_DAYS: String(daysPast(published.endsOn)) })
    try {
      await expect.poll(async () => (await mine()).length, { timeout: 60_000, message: 'a certificate after the period' }).toBe(1)
      expect(later.output.join('\n')).toContain('clock.offset_days')
    } finally {
      await later.stop()
    }
    const [certificate] = await mine()
    if (!certificate) throw new Error('no certificate')
    expect(certificate.verify_url).toBe(`${site}/verify/${certificate.number}`)

    const page = await openAs(browser, server, watch, 'holder')
    let pdfPath = ''
    let address = ''
    await test.step('the holder downloads her certificate, and its QR code reads as the verification address', async () => {
      await login(page, holder.username, PASSWORD)
      await page.goto('/certificates')
      const card = page.getByTestId('certificate')
      await expect(card).toContainText(certificate.number)
      await expect(card).toContainText('证书有效')
      await shot(page, 'certificates')
      const downloading = page.waitForEvent('download')
      await card.getByTestId('certificate-download').click()
      const download = await downloading
      expect(download.suggestedFilename()).toBe(`${certificate.number}.pdf`)
      pdfPath = await download.path()
      const pdf = readFileSync(pdfPath)
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
      address = readQrFromPdf(pdf)
      expect(address).toBe(certificate.verify_url)
    })

    for (const [name, viewport] of [['desktop', { width: 1366, height: 768 }], ['phone', { width: 390, height: 844 }]] as const) {
      await test.step(`a stranger opens the QR's address on a ${name}, with no login`, async () => {
        const visitor = await openAs(browser, server, watch, `visitor (${name})`, viewport)
        await visitor.goto(address)
        await expect(visitor).toHaveURL(`${site}/verify/${certificate.number}`)
        const result = visitor.getByTestId('verify-result')
        await expect(result).toContainText('证书有效')
        await expect(result).toContainText(holder.realName)
        await expect(result).toContainText(maskedId)
        await expect(result).toContainText(certificate.number)
        const text = await visitor.locator('body').innerText()
        expect(text).not.toContain(holderId)
        expect(text).not.toContain(holder.phone)
        // The downloaded file checks against the platform's signature.
        await visitor.getByTestId('verify-pdf').setInputFiles(pdfPath)
        await expect(visitor.getByTestId('verify-genuine')).toBeVisible()
        await shot(visitor, `verify-${name}`)
        await visitor.context().close()
      })
    }
  } finally {
    await api.dispose()
    await server.stop()
  }
})
