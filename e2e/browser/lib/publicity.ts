// Setting the scene through the API for the certificate walk: a person's declaration at the demo
// hospital accepted at the bureau, reviewed by the demo 卫生系列中级 committee (its experts sign in
// with their second factor and vote), the session closed with 评审通过 and its result published
// (公示). What happens after the period is the walk's own.
import type { APIRequestContext } from '@playwright/test'
import { PASSWORD } from './actors'
import { idNumber } from './ids'
import { ok, submittedDeclaration, tokenOf } from './scene'
import { DEMO_PASSWORD } from './server'
import { Authenticator } from './totp'
import { beijingYear } from './ui'

const HOSPITAL = '济南市济阳区人民医院'
const COMMITTEE = '济阳区卫生系列中级职称评审委员会'

export interface Published {
  declarationId: string
  publicityId: string
  /** The last day of the 公示 period, `YYYY-MM-DD` (Beijing). */
  endsOn: string
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

async function post<T>(api: APIRequestContext, token: string, path: string, data: unknown = {}): Promise<T> {
  return ok<T>(api.post(`/api/v1${path}`, { headers: bearer(token), data }), `POST ${path}`)
}

async function get<T>(api: APIRequestContext, token: string, path: string): Promise<T> {
  return ok<T>(api.get(`/api/v1${path}`, { headers: bearer(token) }), `GET ${path}`)
}

/** A real-name reviewer registered by an organisation's admin; returns the reviewer's token. */
async function reviewerOf(api: APIRequestContext, adminToken: string, who: { username: string; realName: string; seq: number; phone: string }): Promise<string> {
  await post(api, adminToken, '/org/reviewers', {
    real_name: who.realName, id_number: idNumber('19800101', who.seq), phone: who.phone, username: who.username, password: PASSWORD,
  })
  return tokenOf(api, who.username, PASSWORD)
}

/** An expert of the library signed in with a second factor it enrols now (voting needs one). */
async function expertToken(api: APIRequestContext, username: string): Promise<string> {
  const first = await tokenOf(api, username, DEMO_PASSWORD)
  const enrolment = await post<{ secret: string }>(api, first, '/me/totp', { password: DEMO_PASSWORD })
  const authenticator = new Authenticator(enrolment.secret)
  await post(api, first, '/me/totp/confirm', { code: await authenticator.nextCode() })
  const login = await ok<{ access_token: string }>(
    api.post('/api/v1/auth/login', { data: { account: username, password: DEMO_PASSWORD, totp_code: await authenticator.nextCode() } }),
    `login ${username} with a code`,
  )
  return login.access_token
}

export async function publishedResult(api: APIRequestContext, who: { username: string; realName: string; seq: number; phone: string }): Promise<Published> {
  const year = Number(beijingYear())
  const declarationId = await submittedDeclaration(api, who, HOSPITAL, year)

  // 审核 and 数据上报 up the chain: the demo hospital's reviewer, then reviewers the 卫生健康局 and
  // the bureau register now; the bureau's approval is 受理.
  const healthAdmin = await tokenOf(api, 'jiyang_health', DEMO_PASSWORD)
  const hrssAdmin = await tokenOf(api, 'jiyang_hrss', DEMO_PASSWORD)
  const chain = [
    await tokenOf(api, 'hospital_reviewer', DEMO_PASSWORD),
    await reviewerOf(api, healthAdmin, { username: 'cert_health_reviewer', realName: '郑审核', seq: 131, phone: '13905319931' }),
  ]
  for (const reviewer of chain) {
    await post(api, reviewer, `/reviews/${declarationId}/approve`)
    await post(api, reviewer, '/reports', { declaration_ids: [declarationId] })
  }
  const bureauReviewer = await reviewerOf(api, hrssAdmin, { username: 'cert_hrss_reviewer', realName: '冯审核', seq: 133, phone: '13905319932' })
  await post(api, bureauReviewer, `/reviews/${declarationId}/approve`, { opinion: '受理' })

  // 评审会 of the demo committee: gathered, 11 of its 13 experts drawn, 8 vote 同意 (quorum and
  // two thirds), closed.
  const committees = await get<Array<{ id: string; name: string }>>(api, healthAdmin, '/committees')
  const committee = committees.find((c) => c.name === COMMITTEE)
  if (!committee) throw new Error(`no committee ${COMMITTEE}`)
  const session = await post<{ id: string }>(api, healthAdmin, `/committees/${committee.id}/sessions`, {
    name: `${year}年度卫生系列中级评审会`, year, level: 'intermediate', vote_until: new Date(Date.now() + 3 * 86_400_000).toISOString(),
  })
  await post(api, healthAdmin, `/review-sessions/${session.id}/gather`)
  const sealed = await post<{ id: string }>(api, healthAdmin, `/review-sessions/${session.id}/draws`, { count: 11 })
  const drawn = await post<{ output: string[] }>(api, healthAdmin, `/review-sessions/${session.id}/draws/${sealed.id}/run`)
  const experts = await get<Array<{ id: string; username: string }>>(api, healthAdmin, `/committees/${committee.id}/experts`)
  for (const expertId of drawn.output.slice(0, 8)) {
    const username = experts.find((e) => e.id === expertId)?.username
    if (!username) throw new Error(`drawn expert ${expertId} is not in the library`)
    const token = await expertToken(api, username)
    const vote = await api.post(`/api/v1/review-sessions/${session.id}/declarations/${declarationId}/vote`, {
      headers: bearer(token), data: { choice: 'agree', opinion: '业绩符合中级评审条件' },
    })
    if (vote.status() !== 204) throw new Error(`vote by ${username}: ${vote.status()} ${await vote.text()}`)
  }
  const closed = await post<{ declarations: Array<{ result: { result: string } }> }>(api, healthAdmin, `/review-sessions/${session.id}/close`)
  if (closed.declarations[0]?.result.result !== 'passed') throw new Error(`the session closed with ${JSON.stringify(closed)}`)

  // 发布公示 for 5 working days.
  const publicity = await post<{ id: string; ends_on: string }>(api, healthAdmin, `/review-sessions/${session.id}/publish`, { working_days: 5 })
  return { declarationId, publicityId: publicity.id, endsOn: publicity.ends_on }
}
