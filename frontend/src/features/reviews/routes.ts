import type { RouteRecordRaw } from 'vue-router'

export const reviewRoutes: RouteRecordRaw[] = [
  { path: 'reviews', name: 'reviews', component: () => import('./pages/ReviewListPage.vue'), meta: { title: 'reviews.title', roles: ['org_admin', 'reviewer'] } },
  { path: 'reviews/:id', name: 'review', component: () => import('./pages/ReviewPage.vue'), meta: { title: 'reviews.title', roles: ['org_admin', 'reviewer'] }, props: true },
]
