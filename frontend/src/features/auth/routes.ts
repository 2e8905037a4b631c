import type { RouteRecordRaw } from 'vue-router'

export const authRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
  { path: '/forgot', name: 'forgot', component: () => import('./pages/ForgotPage.vue'), meta: { public: true } },
  { path: '/register/person', name: 'register-person', component: () => import('./pages/RegisterPersonPage.vue'), meta: { public: true } },
  { path: '/register/org', name: 'register-org', component: () => import('./pages/RegisterOrgPage.vue'), meta: { public: true } },
  { path: '/sso/complete', name: 'sso-complete', component: () => import('./pages/SsoCompletePage.vue'), meta: { public: true } },
  { path: '/sso/register', name: 'sso-register', component: () => import('./pages/SsoRegisterPage.vue'), meta: { public: true } },
]
