import { api, call, type Schemas } from '@/lib/api/client'

export type ReviewRow = Schemas['ReviewRowDto']
export type Count = Schemas['CountDto']

/** Counts of what reached the bureau, by series, level and standing. */
export const summary = (year?: number) => call(api.GET('/api/v1/reviews/summary', { params: { query: { year } } }))
/** The accepted declarations (受理), first 100. */
export const accepted = (year?: number) =>
  call(api.GET('/api/v1/reviews', { params: { query: { year, status: 'accepted', page: 1, page_size: 100 } } }))
