import type { RouteRecordRaw } from 'vue-router'

export const pathRoutes: RouteRecordRaw[] = [
  { path: 'paths', name: 'paths', component: () => import('./pages/PathApplyPage.vue'), meta: { title: 'paths.applyTitle', roles: ['org_admin'] } },
  { path: 'path-audits', name: 'path-audits', component: () => import('./pages/PathAuditPage.vue'), meta: { title: 'paths.auditTitle', roles: ['org_admin'] } },
]
