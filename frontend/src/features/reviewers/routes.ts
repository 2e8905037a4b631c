import type { RouteRecordRaw } from 'vue-router'

export const reviewerRoutes: RouteRecordRaw[] = [
  { path: 'reviewers', name: 'reviewers', component: () => import('./pages/ReviewersPage.vue'), meta: { title: 'reviewers.title', roles: ['org_admin'] } },
]
