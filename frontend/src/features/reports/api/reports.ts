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
export type ReportDetail = Schemas['ReportDetailDto']
/** 上报记录 with its names (the sender and the receiver may read it). */
export const getReport = (id: string) => call(api.GET('/api/v1/reports/{id}', { params: { path: { id } } }))
/** 上报花名册 (.xlsx), masked unless `unmasked` and the caller's organisation holds the rows. */
export const rosterUrl = (id: string, unmasked = false) =>
  `/api/v1/reports/${encodeURIComponent(id)}/roster${unmasked ? '?unmasked=true' : ''}`
