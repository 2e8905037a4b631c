import type { RouteRecordRaw } from 'vue-router'
// The first page most visits show is in the entry chunk: no second round trip before the form.
import LoginPage from './pages/LoginPage.vue'

export const authRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: LoginPage, meta: { title: 'auth.login', public: true } },
  { path: '/forgot', name: 'forgot', component: () => import('./pages/ForgotPage.vue'), meta: { title: 'auth.forgotTitle', public: true } },
  { path: '/register/person', name: 'register-person', component: () => import('./pages/RegisterPersonPage.vue'), meta: { title: 'register.person.title', public: true } },
  { path: '/register/org', name: 'register-org', component: () => import('./pages/RegisterOrgPage.vue'), meta: { title: 'register.org.title', public: true } },
  { path: '/sso/complete', name: 'sso-complete', component: () => import('./pages/SsoCompletePage.vue'), meta: { title: 'auth.sso', public: true } },
  { path: '/sso/register', name: 'sso-register', component: () => import('./pages/SsoRegisterPage.vue'), meta: { title: 'auth.ssoRegisterTitle', public: true } },
]
