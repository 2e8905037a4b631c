// Keyboard reachability at 1366×768 and 390×844: on the login page, 个人注册 and a draft
// declaration (the form she lives in, with the menu around it), Tab from the top reaches every
// visible control exactly once, and no control sits inside another.
import { test, expect, openAs, shot } from '../lib/fixtures'
import { tabThrough } from '../lib/keyboard'
import { apiToken, registerPersonApi } from '../lib/api'
import { PASSWORD } from '../lib/actors'
import { idNumber } from '../lib/ids'
import { beijingYear, login } from '../lib/ui'

const sizes = [
  { name: 'desktop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const

for (const size of sizes) {
  test(`Tab reaches every control of the login page, 个人注册 and a declaration exactly once (${size.name})`, async ({ browser, server, watch }) => {
    const page = await openAs(browser, server, watch, `keyboard (${size.name})`, size.viewport)
    for (const [path, name] of [['/login', 'login'], ['/register/person', 'register-person']] as const) {
      await page.goto(path)
      await expect(page.locator('form').first()).toBeVisible()
      const walk = await tabThrough(page)
      expect(walk.controls.length, `${path}: controls found`).toBeGreaterThan(4)
      const wrong = walk.controls.map((control, i) => ({ control, times: walk.reached[i] })).filter((c) => c.times !== 1)
      expect(wrong, `${path}: every control reached exactly once`).toEqual([])
      expect(walk.nested, `${path}: no control inside another`).toEqual([])
      await shot(page, `keyboard-${name}-${size.name}`)
    }

    // The declaration form, where she spends her time: a draft set up through the API.
    const username = `keyboard_${size.name}`
    await registerPersonApi(server, { username, password: PASSWORD, realName: size.name === 'phone' ? '键盘乙' : '键盘甲', idNumber: idNumber('19950505', size.name === 'phone' ? 263 : 261), phone: size.name === 'phone' ? '13905318263' : '13905318261' })
    const token = await apiToken(server, username, PASSWORD)
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const orgs = (await (await fetch(`${server.base}/api/v1/orgs?q=${encodeURIComponent('人民医院')}`, { headers })).json()) as { items: Array<{ id: string }> }
    const created = await fetch(`${server.base}/api/v1/declarations`, {
      method: 'POST', headers,
      body: JSON.stringify({ year: Number(beijingYear()), kind: 'title', series: 'health', level: 'intermediate', specialty: '护理学', org_id: orgs.items[0]?.id }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    await login(page, username, PASSWORD)
    await page.goto(`/declarations/${id}`)
    await expect(page.getByTestId('basic-info')).toBeVisible()
    const walk = await tabThrough(page)
    expect(walk.controls.length, 'declaration: controls found').toBeGreaterThan(15)
    const wrong = walk.controls.map((control, i) => ({ control, times: walk.reached[i] })).filter((c) => c.times !== 1)
    expect(wrong, 'declaration: every control reached exactly once').toEqual([])
    expect(walk.nested, 'declaration: no control inside another').toEqual([])
    if (size.name === 'desktop') {
      // The side menu's entries are Tab stops that Enter opens (a vertical el-menu had none).
      const entry = page.locator('.shell-menu .el-menu-item', { hasText: /^职称评审申报$/ })
      // 性别/出生日期 from the ID number are saved as the draft opens: nothing is left to ask about.
      await expect(page.getByTestId('autosave-state')).toContainText('已自动保存')
      await entry.focus()
      await page.keyboard.press('Enter')
      await expect(page).toHaveURL(/\/declarations$/)
    }
    await shot(page, `keyboard-declaration-${size.name}`)
  })
}
