import type { RouteRecordRaw } from 'vue-router'

export const bureauRoutes: RouteRecordRaw[] = [
  { path: 'bureau', name: 'bureau', component: () => import('./pages/BureauPage.vue'), meta: { title: 'bureau.title', roles: ['org_admin', 'reviewer'] } },
  { path: 'bureau/orgs', name: 'bureau-orgs', component: () => import('./pages/OrgVerificationPage.vue'), meta: { title: 'orgs.title', roles: ['org_admin'] } },
]
