// Setting the scene through the API (what the story already walks through the UI): persons with
// complete, submitted declarations at the demo hospital, for the reviewer's day.
import { expect, type APIRequestContext } from '@playwright/test'
import { idNumber } from './ids'
import { makePdf } from './pdf'
import { PASSWORD } from './actors'

export async function ok<T>(response: Promise<import('@playwright/test').APIResponse>, what: string): Promise<T> {
  const answer = await response
  const text = await answer.text()
  expect(answer.ok(), `${what}: ${answer.status()} ${text}`).toBe(true)
  return (text ? JSON.parse(text) : null) as T
}

export async function tokenOf(api: APIRequestContext, account: string, password: string): Promise<string> {
  const answer = await ok<{ access_token: string }>(api.post('/api/v1/auth/login', { data: { account, password } }), `login ${account}`)
  return answer.access_token
}

/** A person with a complete 卫生/中级 declaration at `employerName`, submitted. Returns its id. */
export async function submittedDeclaration(
  api: APIRequestContext,
  who: { username: string; realName: string; seq: number; phone: string },
  employerName: string,
  year: number,
): Promise<string> {
  const id = idNumber('19900101', who.seq)
  await ok(api.post('/api/v1/auth/register/person', { data: { username: who.username, password: PASSWORD, real_name: who.realName, id_number: id, phone: who.phone } }), 'register')
  const token = await tokenOf(api, who.username, PASSWORD)
  const headers = { Authorization: `Bearer ${token}` }
  const orgs = await ok<{ items: Array<{ id: string; name: string }> }>(api.get(`/api/v1/orgs?q=${encodeURIComponent(employerName)}`, { headers }), 'orgs')
  const employer = orgs.items.find((o) => o.name === employerName)
  if (!employer) throw new Error(`no org ${employerName}`)
  const declaration = await ok<{ id: string }>(
    api.post('/api/v1/declarations', { headers, data: { year, kind: 'title', series: 'health', level: 'intermediate', specialty: '护理学', org_id: employer.id } }),
    'create',
  )
  const gender = Number(id[16]) % 2 === 1 ? '男' : '女'
  await ok(
    api.patch(`/api/v1/declarations/${declaration.id}`, {
      headers,
      data: {
        info: { gender, birth_date: '1990-01-01', ethnicity: '汉族', education: '大学本科', major: '护理学', position: '护士', work_start_date: '2012-07-01', profession_years: 12 },
        basic_confirmed: true,
      },
    }),
    'info',
  )
  const upload = async (name: string) =>
    (await ok<{ id: string }>(api.post('/api/v1/attachments', { headers, multipart: { file: { name, mimeType: 'application/pdf', buffer: makePdf(`${who.realName} ${name}`) } } }), 'upload')).id
  const items: Array<[string, Record<string, unknown>, string | null]> = [
    ['education', { school: '山东第一医科大学', major: '护理学', education: '大学本科', graduation_date: '2012-06-30' }, '毕业证书.pdf'],
    ['annual_review', { year: year - 1, result: '合格' }, null],
    ['work', { start_date: '2012-07-01', org_name: employerName, position: '护士' }, null],
    ['achievement', { name: `${who.realName}的护理论文`, kind: '论文', date: '2024-05-01' }, '论文首页.pdf'],
    ['continuing_education', { year: year - 1, hours: 40, credit_type: 'I类学分' }, '学时证明.pdf'],
  ]
  for (const [section, data, file] of items) {
    const attachment_ids = file ? [await upload(file)] : []
    await ok(api.post(`/api/v1/declarations/${declaration.id}/items`, { headers, data: { section, data, attachment_ids } }), `item ${section}`)
  }
  // 确认申报 accepts the plan's 诚信承诺书 by its hash, as the SPA does when she ticks it.
  const read = await ok<{ plan: { pledge_sha256: string } | null }>(api.get(`/api/v1/declarations/${declaration.id}`, { headers }), 'read')
  const pledge = read.plan ? { pledge_sha256: read.plan.pledge_sha256, pledge_accepted: true } : {}
  await ok(api.post(`/api/v1/declarations/${declaration.id}/submit`, { headers, data: pledge }), 'submit')
  return declaration.id
}

/** Real-name reviewers up the 卫生 chain: the demo hospital's, and one each registered now at the 卫生健康局 and the bureau. */
export interface Chain { hospital: string; health: string; bureau: string | null; bureauUsername: string }

/**
 * Registers the 卫生健康局's and (unless `withBureau` is false) the bureau's reviewers (`tag` keeps
 * their names apart) and signs them in. A bureau reviewer on the shared server would hide the
 * story's 去录入审核人员 prompt: only a walk on a server of its own registers one.
 */
export async function reviewChain(api: APIRequestContext, tag: string, seq: number, withBureau = true): Promise<Chain> {
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
  const register = async (admin: string, username: string, realName: string, n: number, phone: string) => {
    const adminToken = await tokenOf(api, admin, 'Demo#2026zc')
    await ok(api.post('/api/v1/org/reviewers', {
      headers: bearer(adminToken),
      data: { real_name: realName, id_number: idNumber('19800101', n), phone, username, password: PASSWORD },
    }), `reviewer ${username}`)
    return tokenOf(api, username, PASSWORD)
  }
  const bureauUsername = `${tag}_hrss_reviewer`
  return {
    hospital: await tokenOf(api, 'hospital_reviewer', 'Demo#2026zc'),
    health: await register('jiyang_health', `${tag}_health_reviewer`, '卫审核', seq, `13905318${seq}`),
    bureau: withBureau ? await register('jiyang_hrss', bureauUsername, '人审核', seq + 2, `13905318${seq + 2}`) : null,
    bureauUsername,
  }
}

/** A submitted declaration at the demo hospital approved and reported by the hospital and the 卫生健康局: it waits at the bureau. */
export async function reportedToBureau(api: APIRequestContext, chain: Chain, who: { username: string; realName: string; seq: number; phone: string }, year: number): Promise<string> {
  const id = await submittedDeclaration(api, who, '济南市济阳区人民医院', year)
  for (const reviewer of [chain.hospital, chain.health]) {
    const headers = { Authorization: `Bearer ${reviewer}` }
    await ok(api.post(`/api/v1/reviews/${id}/approve`, { headers, data: {} }), 'approve')
    await ok(api.post('/api/v1/reports', { headers, data: { declaration_ids: [id] } }), 'report')
  }
  return id
}
