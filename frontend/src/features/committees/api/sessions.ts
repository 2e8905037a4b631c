import { api, call, type Schemas } from '@/lib/api/client'

export type SessionSummary = Schemas['SessionSummaryDto']
export type Session = Schemas['SessionDto']
export type Choice = Schemas['Choice']

export const listSessions = () => call(api.GET('/api/v1/review-sessions', {}))
export const getSession = (id: string) => call(api.GET('/api/v1/review-sessions/{id}', { params: { path: { id } } }))
export const readDeclaration = (id: string, declarationId: string) =>
  call(api.GET('/api/v1/review-sessions/{id}/declarations/{declaration_id}', { params: { path: { id, declaration_id: declarationId } } }))
export const vote = (id: string, declarationId: string, choice: Choice, opinion: string) =>
  call(
    api.POST('/api/v1/review-sessions/{id}/declarations/{declaration_id}/vote', {
      params: { path: { id, declaration_id: declarationId } },
      body: { choice, opinion: opinion || null },
    }),
  )
export const recuse = (id: string, declarationId: string, reason: string) =>
  call(
    api.POST('/api/v1/review-sessions/{id}/declarations/{declaration_id}/recuse', {
      params: { path: { id, declaration_id: declarationId } },
      body: { reason },
    }),
  )
