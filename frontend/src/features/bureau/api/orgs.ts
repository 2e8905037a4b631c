import { api, call, type Schemas } from '@/lib/api/client'

export type OverseenOrg = Schemas['OverseenOrg']
export type OrgVerification = Schemas['OrgVerification']

/** 单位认证审核: the 主管部门 and 乡镇（街道） of the bureau's region, a page at a time. */
export const listOverseenOrgs = (verification: OrgVerification | undefined, page: number, pageSize: number) =>
  call(api.GET('/api/v1/bureau/orgs', { params: { query: { verification, page, page_size: pageSize } } }))
export const verifyOrg = (id: string) => call(api.POST('/api/v1/bureau/orgs/{id}/verify', { params: { path: { id } } }))
export const refuseOrg = (id: string, reason: string) =>
  call(api.POST('/api/v1/bureau/orgs/{id}/refuse', { params: { path: { id } }, body: { reason } }))
export const disableOrg = (id: string) => call(api.POST('/api/v1/bureau/orgs/{id}/disable', { params: { path: { id } } }))
/** 单位密码重置: answers the admin's username and a one-time password, shown once. */
export const resetOrgPassword = (id: string) =>
  call(api.POST('/api/v1/bureau/orgs/{id}/reset-password', { params: { path: { id } } }))
