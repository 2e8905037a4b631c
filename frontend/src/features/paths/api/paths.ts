import { api, call, type Schemas } from '@/lib/api/client'

export type PathView = Schemas['PathDto']
export type PathStatus = Schemas['PathStatus']
export type ApplyPath = Schemas['ApplyPathRequest']

export const listPaths = (status: PathStatus | undefined, page: number, pageSize: number) =>
  call(api.GET('/api/v1/paths', { params: { query: { status, page, page_size: pageSize } } }))
export type ApplyPaths = Schemas['ApplyPathsRequest']
export const applyPath = (body: ApplyPath) => call(api.POST('/api/v1/paths', { body }))
/** Several levels of one series at once: all are applied for, or none. */
export const applyPaths = (body: ApplyPaths) => call(api.POST('/api/v1/paths/batch', { body }))
/** 撤回 a pending application. */
export const withdrawPath = (id: string) => call(api.POST('/api/v1/paths/{id}/withdraw', { params: { path: { id } } }))
export const listPathAudits = (status: PathStatus | undefined, page: number, pageSize: number) =>
  call(api.GET('/api/v1/path-audits', { params: { query: { status, page, page_size: pageSize } } }))
export const approvePath = (id: string) => call(api.POST('/api/v1/paths/{id}/approve', { params: { path: { id } } }))
export const rejectPath = (id: string, reason: string) =>
  call(api.POST('/api/v1/paths/{id}/reject', { params: { path: { id } }, body: { reason } }))
