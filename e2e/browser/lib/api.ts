// Setup over the API for what a walk does not show through the UI.
import type { Server } from './server'

async function call(server: Server, method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const response = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
  return text ? JSON.parse(text) : null
}

export async function apiToken(server: Server, account: string, password: string): Promise<string> {
  const answer = await call(server, 'POST', '/auth/login', null, { account, password })
  return answer.access_token as string
}

/** 个人注册 over the API, for a walk that needs an account of its own (e.g. one it locks). */
export async function registerPersonApi(server: Server, who: { username: string; password: string; realName: string; idNumber: string; phone: string }): Promise<void> {
  await call(server, 'POST', '/auth/register/person', null, {
    username: who.username, password: who.password, real_name: who.realName, id_number: who.idNumber, phone: who.phone,
  })
}

/** 修改密码 over the API: puts a demo account's password back after a test changed it, so the
 * tests that share this server's demo accounts do not depend on their order. */
export async function setPassword(server: Server, account: string, current: string, next: string): Promise<void> {
  const token = await apiToken(server, account, current)
  await call(server, 'POST', '/me/password', token, { current_password: current, new_password: next })
}

/** Publishes, as a bureau, a 职称申报 plan for `year` covering `series` at every level, open from a day ago for 30 days. */
export async function publishPlan(server: Server, token: string, year: number, series: string[]): Promise<void> {
  const at = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()
  await call(server, 'POST', '/plans', token, {
    year, kind: 'title', name: `${year}年度职称申报`, notice: '浏览器测试', series,
    levels: ['senior', 'deputy_senior', 'intermediate', 'assistant', 'staff'],
    opens_at: at(-1), closes_at: at(30), return_closes_at: at(35),
    employer_closes_at: at(40), authority_closes_at: at(45), bureau_closes_at: at(50),
  })
}
