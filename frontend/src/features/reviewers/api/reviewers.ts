import { api, call, type Schemas } from '@/lib/api/client'

export type Reviewer = Schemas['ReviewerDto']
export type NewReviewer = Schemas['RegisterReviewerRequest']

export const listReviewers = () => call(api.GET('/api/v1/org/reviewers', {}))
export const addReviewer = (body: NewReviewer) => call(api.POST('/api/v1/org/reviewers', { body }))
export const removeReviewer = (id: string) => call(api.DELETE('/api/v1/org/reviewers/{id}', { params: { path: { id } } }))
