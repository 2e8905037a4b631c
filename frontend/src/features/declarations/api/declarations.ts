import { api, call, type Schemas } from '@/lib/api/client'

export type NewDeclaration = Schemas['CreateDeclarationRequest']
export type DeclarationPatch = Schemas['UpdateDeclarationRequest']
export type NewItem = Schemas['NewItemRequest']
export type ItemPatch = Schemas['UpdateItemRequest']

const at = (id: string) => ({ params: { path: { id } } })
const atItem = (id: string, itemId: string) => ({ params: { path: { id, item_id: itemId } } })

export const listDeclarations = (page = 1) =>
  call(api.GET('/api/v1/declarations', { params: { query: { page, page_size: 100 } } }))
export const createDeclaration = (body: NewDeclaration) => call(api.POST('/api/v1/declarations', { body }))
export const getDeclaration = (id: string) => call(api.GET('/api/v1/declarations/{id}', at(id)))
export const declarationForm = (id: string) => call(api.GET('/api/v1/declarations/{id}/form', at(id)))
export const updateDeclaration = (id: string, body: DeclarationPatch) =>
  call(api.PATCH('/api/v1/declarations/{id}', { ...at(id), body }))
export const addItem = (id: string, body: NewItem) => call(api.POST('/api/v1/declarations/{id}/items', { ...at(id), body }))
export const updateItem = (id: string, itemId: string, body: ItemPatch) =>
  call(api.PATCH('/api/v1/declarations/{id}/items/{item_id}', { ...atItem(id, itemId), body }))
export const deleteItem = (id: string, itemId: string) =>
  call(api.DELETE('/api/v1/declarations/{id}/items/{item_id}', atItem(id, itemId)))
export type SubmitBody = Schemas['SubmitRequest']
/** 确认申报, with the plan's 诚信承诺书 accepted (its `pledge_sha256`). */
export const submitDeclaration = (id: string, body: SubmitBody) =>
  call(api.POST('/api/v1/declarations/{id}/submit', { ...at(id), body }))
export const declarationEvents = (id: string) => call(api.GET('/api/v1/declarations/{id}/events', at(id)))
/** 访问记录: who at which organisation opened the declaration or downloaded its files. */
export const declarationAccessLog = (id: string) => call(api.GET('/api/v1/declarations/{id}/access-log', at(id)))
export type AccessLogEntry = Schemas['AccessLogEntryDto']
/** Whether an employer can send a declaration of this series and level up (申报单位的上报路径). */
export const employerReporting = (orgId: string, series: string, level: Schemas['Level']) =>
  call(api.GET('/api/v1/orgs/{id}/reporting', { params: { path: { id: orgId }, query: { series, level } } }))

