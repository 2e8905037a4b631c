import { api, call, type Schemas } from '@/lib/api/client'

export type ReviewRow = Schemas['ReviewRowDto']
export type Review = Schemas['ReviewDto']
export type Standing = Schemas['Standing']
export type Level = Schemas['Level']
export type ReturnBody = Schemas['ReturnRequest']

export interface ReviewQuery {
  status?: Standing
  year?: number
  level?: Level
  series?: string
  q?: string
}

const at = (id: string) => ({ params: { path: { id } } })

export const listReviews = (query: ReviewQuery, page: number, pageSize: number) =>
  call(api.GET('/api/v1/reviews', { params: { query: { ...query, page, page_size: pageSize } } }))
export const getReview = (id: string) => call(api.GET('/api/v1/reviews/{id}', at(id)))
/** The form version the declaration was started with (reviewers of an org it reached may read it). */
export const declarationForm = (id: string) => call(api.GET('/api/v1/declarations/{id}/form', at(id)))
export const approveReview = (id: string, opinion?: string) =>
  call(api.POST('/api/v1/reviews/{id}/approve', { ...at(id), body: { opinion: opinion || null } }))
export const returnReview = (id: string, body: ReturnBody) => call(api.POST('/api/v1/reviews/{id}/return', { ...at(id), body }))
