import type { RouteRecordRaw } from 'vue-router'

export const adminRoutes: RouteRecordRaw[] = [
  { path: 'admin/audit', name: 'admin-audit', component: () => import('./pages/AuditPage.vue'), meta: { title: 'audit.title', roles: ['admin'] } },
]
