import type { RouteRecordRaw } from 'vue-router'

/** Public pages: the 公示 list and certificate verification (the QR code's address). */
export const publicityPublicRoutes: RouteRecordRaw[] = [
  { path: '/publicity', name: 'publicity', component: () => import('./pages/PublicityPage.vue'), meta: { title: 'publicity.title', public: true } },
  { path: '/verify/:number', name: 'verify', component: () => import('./pages/VerifyPage.vue'), meta: { title: 'certificate.verifyTitle', public: true } },
]

export const publicityRoutes: RouteRecordRaw[] = [
  { path: 'certificates', name: 'certificates', component: () => import('./pages/CertificatesPage.vue'), meta: { title: 'certificate.mine', roles: ['person'] } },
]
