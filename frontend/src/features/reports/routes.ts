import type { RouteRecordRaw } from 'vue-router'

export const reportRoutes: RouteRecordRaw[] = [
  { path: 'reports', name: 'reports', component: () => import('./pages/ReportPage.vue'), meta: { title: 'reports.title', roles: ['org_admin', 'reviewer'] } },
]
