import type { RouteRecordRaw } from 'vue-router'

export const committeeRoutes: RouteRecordRaw[] = [
  { path: 'expert/sessions', name: 'expert-sessions', component: () => import('./pages/ExpertSessionsPage.vue'), meta: { title: 'expert.title', roles: ['expert'] } },
]
