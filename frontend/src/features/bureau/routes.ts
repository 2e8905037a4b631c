import type { RouteRecordRaw } from 'vue-router'

export const bureauRoutes: RouteRecordRaw[] = [
  { path: 'bureau', name: 'bureau', component: () => import('./pages/BureauPage.vue'), meta: { roles: ['org_admin', 'reviewer'] } },
]
