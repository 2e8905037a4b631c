import { api, call, type Schemas } from '@/lib/api/client'

export type Message = Schemas['MessageDto']
export type TodoCounts = Schemas['TodoCounts']

export const listMessages = (page: number, pageSize: number, unread: boolean) =>
  call(api.GET('/api/v1/messages', { params: { query: { page, page_size: pageSize, ...(unread ? { unread: true } : {}) } } }))

export const markRead = (id: string) => call(api.POST('/api/v1/messages/{id}/read', { params: { path: { id } } }))
export const markAllRead = () => call(api.POST('/api/v1/messages/read-all'))
export const todoCounts = () => call(api.GET('/api/v1/me/todo'))

export const notificationPreferences = () => call(api.GET('/api/v1/me/notifications'))
export const setSmsEnabled = (smsEnabled: boolean) =>
  call(api.PUT('/api/v1/me/notifications', { body: { sms_enabled: smsEnabled } }))

export const urge = (declarationId: string) =>
  call(api.POST('/api/v1/reviews/{id}/urge', { params: { path: { id: declarationId } } }))
