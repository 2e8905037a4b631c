import { api, call, type Schemas } from '@/lib/api/client'

export type Plan = Schemas['PlanDto']
export type OrgDeadline = Schemas['OrgDeadlineDto']

/** The plans open now for individuals (申报计划), soonest close first. */
export const openPlans = () => call(api.GET('/api/v1/plans', { params: { query: { open: true, page_size: 100 } } }))
/** The caller organisation's review/report deadlines in the current plans. */
export const orgDeadlines = () => call(api.GET('/api/v1/org/deadlines'))

export type NewPlan = Schemas['CreatePlanRequest']
export type PlanPatch = Schemas['UpdatePlanRequest']
export type NewExtension = Schemas['ExtensionRequest']

/** The caller bureau's own plans. */
export const myPlans = () => call(api.GET('/api/v1/plans', { params: { query: { mine: true, page_size: 100 } } }))
export const createPlan = (body: NewPlan) => call(api.POST('/api/v1/plans', { body }))
export const updatePlan = (id: string, body: PlanPatch) => call(api.PATCH('/api/v1/plans/{id}', { params: { path: { id } }, body }))
export const extendPlan = (id: string, body: NewExtension) =>
  call(api.POST('/api/v1/plans/{id}/extensions', { params: { path: { id } }, body }))
