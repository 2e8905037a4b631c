import type { RouteRecordRaw } from 'vue-router'

export const planRoutes: RouteRecordRaw[] = [
  { path: 'plans', name: 'plans', component: () => import('./pages/PlansPage.vue'), meta: { title: 'menu.plans', roles: ['org_admin'] } },
]
