import type { RouteRecordRaw } from 'vue-router'

export const bureauRoutes: RouteRecordRaw[] = [
  { path: 'bureau', name: 'bureau', component: () => import('./pages/BureauPage.vue'), meta: { title: 'bureau.title', roles: ['org_admin', 'reviewer'] } },
]
