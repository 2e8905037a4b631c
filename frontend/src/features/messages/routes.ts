import type { RouteRecordRaw } from 'vue-router'

export const messageRoutes: RouteRecordRaw[] = [
  { path: 'messages', name: 'messages', component: () => import('./pages/MessagesPage.vue'), meta: { title: 'messages.title' } },
]
