import { api, call, type Schemas } from '@/lib/api/client'

export type AuditEntry = Schemas['AuditEntryView']

export const listAudit = (query: { action?: string; page: number; page_size: number }) =>
  call(api.GET('/api/v1/admin/audit', { params: { query } }))
