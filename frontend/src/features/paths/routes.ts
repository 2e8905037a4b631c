import type { RouteRecordRaw } from 'vue-router'

export const pathRoutes: RouteRecordRaw[] = [
  { path: 'paths', name: 'paths', component: () => import('./pages/PathApplyPage.vue'), meta: { roles: ['org_admin'] } },
  { path: 'path-audits', name: 'path-audits', component: () => import('./pages/PathAuditPage.vue'), meta: { roles: ['org_admin'] } },
]
