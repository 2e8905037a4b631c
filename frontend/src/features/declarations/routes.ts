import type { RouteRecordRaw } from 'vue-router'

export const declarationRoutes: RouteRecordRaw[] = [
  { path: 'declarations', name: 'declarations', component: () => import('./pages/DeclarationListPage.vue'), meta: { title: 'decl.listTitle', roles: ['person'] } },
  { path: 'progress', name: 'latest-progress', component: () => import('./pages/LatestProgressPage.vue'), meta: { title: 'menu.progress', roles: ['person'] } },
  { path: 'declarations/new', name: 'declaration-new', component: () => import('./pages/DeclarationNewPage.vue'), meta: { title: 'decl.add', roles: ['person'] } },
  { path: 'declarations/:id', name: 'declaration', component: () => import('./pages/DeclarationEditPage.vue'), meta: { title: 'decl.listTitle', roles: ['person'] }, props: true },
  { path: 'declarations/:id/progress', name: 'declaration-progress', component: () => import('./pages/DeclarationProgressPage.vue'), meta: { title: 'menu.progress', roles: ['person'] }, props: true },
]
