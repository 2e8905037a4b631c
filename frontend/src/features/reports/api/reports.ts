import { api, call, type Schemas } from '@/lib/api/client'

export type ReviewRow = Schemas['ReviewRowDto']
export type Report = Schemas['ReportDto']

export interface ReportQuery {
  year?: number
  level?: Schemas['Level']
  series?: string
}

/** 通过未上报 here: what may be reported now. */
export const reportable = (query: ReportQuery, page: number, pageSize: number) =>
  call(api.GET('/api/v1/reviews', { params: { query: { ...query, status: 'approved', page, page_size: pageSize } } }))
/** One batch up the path; the key makes a retried click return the first report. */
export const sendReport = (declarationIds: string[], idempotencyKey: string) =>
  call(api.POST('/api/v1/reports', { body: { declaration_ids: declarationIds }, params: { header: { 'Idempotency-Key': idempotencyKey } } }))
export const listReports = (page: number, pageSize: number) =>
  call(api.GET('/api/v1/reports', { params: { query: { direction: 'sent', page, page_size: pageSize } } }))
