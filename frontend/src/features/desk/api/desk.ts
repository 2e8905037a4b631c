import { api, call, type Schemas } from '@/lib/api/client'
import { sendWithToken } from '@/lib/api/auth-fetch'
import { ApiError, type Problem } from '@/lib/problem'

export type Dashboard = Schemas['DashboardDto']
export type DashboardCount = Schemas['DashboardCountDto']
export type Holder = Schemas['HolderDto']
export type Waiting = Schemas['WaitingDto']
export type ImportResult = Schemas['ImportResultDto']
export type FormVerification = Schemas['FormVerificationDto']

export const getDashboard = (year: number) => call(api.GET('/api/v1/dashboard', { params: { query: { year } } }))

/** Public: whether a printed 评审表 still matches the record (404: never generated). */
export const verifyForm = (hash: string) => call(api.GET('/api/v1/verify/forms/{hash}', { params: { path: { hash } } }))

export const importTemplateUrl = '/api/v1/org/imports/template'

/** Uploads the filled-in template; a refused sheet rejects with the problem (every row and column). */
export async function importApplicants(file: File): Promise<ImportResult> {
  const form = new FormData()
  form.append('file', file, file.name)
  let response: Response
  try {
    response = await sendWithToken((token) =>
      fetch('/api/v1/org/imports', { method: 'POST', body: form, headers: token ? { Authorization: `Bearer ${token}` } : {} }),
    )
  } catch (cause) {
    throw ApiError.network(cause)
  }
  const body = await response.json().catch(() => undefined)
  if (!response.ok) throw ApiError.from(response.status, body as Partial<Problem> | undefined)
  return body as ImportResult
}

/** One problem of a refused import, split into the row and the column it names. */
export interface ImportProblem {
  row: string
  column: string
  message: string
}

const COLUMNS: Record<string, string> = { name: '姓名', id_number: '身份证号', phone: '手机号码', specialty: '专业' }

/** `/rows/4/phone` → row 4, column 手机号码; a problem of the whole file has neither. */
export function importProblems(errors: { field: string; message: string }[]): ImportProblem[] {
  return errors.map(({ field, message }) => {
    const [, kind, row, column] = field.split('/')
    if (kind !== 'rows') return { row: '', column: '', message }
    return { row: row ?? '', column: column ? (COLUMNS[column] ?? column) : '', message }
  })
}

/** A chart's numbers as CSV (each chart's data is downloadable). */
export function countsCsv(title: string, counts: DashboardCount[]): string {
  const escape = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value).replace(/"/g, '""')
  return [`"${escape(title)}","数量"`, ...counts.map((c) => `"${escape(c.label)}",${c.count}`)].join('\r\n')
}
