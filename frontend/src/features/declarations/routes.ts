import type { RouteRecordRaw } from 'vue-router'

export const declarationRoutes: RouteRecordRaw[] = [
  { path: 'declarations', name: 'declarations', component: () => import('./pages/DeclarationListPage.vue'), meta: { roles: ['person'] } },
  { path: 'progress', name: 'latest-progress', component: () => import('./pages/LatestProgressPage.vue'), meta: { roles: ['person'] } },
  { path: 'declarations/new', name: 'declaration-new', component: () => import('./pages/DeclarationNewPage.vue'), meta: { roles: ['person'] } },
  { path: 'declarations/:id', name: 'declaration', component: () => import('./pages/DeclarationEditPage.vue'), meta: { roles: ['person'] }, props: true },
  { path: 'declarations/:id/progress', name: 'declaration-progress', component: () => import('./pages/DeclarationProgressPage.vue'), meta: { roles: ['person'] }, props: true },
]
