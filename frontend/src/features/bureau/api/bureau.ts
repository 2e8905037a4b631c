import { api, call, type Schemas } from '@/lib/api/client'

export type ReviewRow = Schemas['ReviewRowDto']
export type Count = Schemas['CountDto']

/** Counts of what reached the bureau, by series, level and standing. */
export const summary = (year?: number) => call(api.GET('/api/v1/reviews/summary', { params: { query: { year } } }))
/** The accepted declarations (受理), a page at a time. */
export const accepted = (year: number | undefined, page: number, pageSize: number) =>
  call(api.GET('/api/v1/reviews', { params: { query: { year, status: 'accepted', page, page_size: pageSize } } }))
