import { api, call, type Schemas } from '@/lib/api/client'
import type { operations } from '@/lib/api/schema'

export type ReviewRow = Schemas['ReviewRowDto']
export type Review = Schemas['ReviewDto']
export type Standing = Schemas['Standing']
export type Level = Schemas['Level']
export type ReturnBody = Schemas['ReturnRequest']

type ListParams = NonNullable<operations['list_reviews']['parameters']['query']>
/** 排序: the columns a clerk sorts the list by. */
export type ReviewSort = NonNullable<ListParams['sort']>
export type SortOrder = NonNullable<ListParams['order']>

export interface ReviewQuery {
  status?: Standing
  year?: number
  level?: Level
  series?: string
  q?: string
  sort?: ReviewSort
  order?: SortOrder
  /** The employer (申报单位), as the dashboard drills down. */
  org_id?: string
}

/** 导出Excel: exactly the rows of the list under the same filters (all pages). */
export function exportUrl(query: ReviewQuery, unmasked = false): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value))
  if (unmasked) params.set('unmasked', 'true')
  return `/api/v1/exports/reviews?${params}`
}

const at = (id: string) => ({ params: { path: { id } } })

export const listReviews = (query: ReviewQuery, page: number, pageSize: number) =>
  call(api.GET('/api/v1/reviews', { params: { query: { ...query, page, page_size: pageSize } } }))
export const getReview = (id: string) => call(api.GET('/api/v1/reviews/{id}', at(id)))
/** The form version the declaration was started with (reviewers of an org it reached may read it). */
export const declarationForm = (id: string) => call(api.GET('/api/v1/declarations/{id}/form', at(id)))
/** `If-Match` with the declaration's version: a decision on what someone else changed meanwhile is refused (412). */
const decide = (id: string, version: number) => ({ params: { path: { id }, header: { 'If-Match': String(version) } } })
export const approveReview = (id: string, version: number, opinion?: string) =>
  call(api.POST('/api/v1/reviews/{id}/approve', { ...decide(id, version), body: { opinion: opinion || null } }))
export const returnReview = (id: string, version: number, body: ReturnBody) =>
  call(api.POST('/api/v1/reviews/{id}/return', { ...decide(id, version), body }))
