import type { RouteRecordRaw } from 'vue-router'

/** Inside the logged-in frame. */
export const deskRoutes: RouteRecordRaw[] = [
  { path: 'dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { title: 'desk.dashboardTitle', roles: ['org_admin', 'reviewer'] } },
  { path: 'imports', name: 'imports', component: () => import('./pages/ImportPage.vue'), meta: { title: 'desk.importTitle', roles: ['org_admin'] } },
]

/** Where a printed 评审表's QR code leads: public, outside the frame. */
export const verifyRoutes: RouteRecordRaw[] = [
  { path: '/verify/forms/:hash', name: 'verify-form', component: () => import('./pages/VerifyFormPage.vue'), meta: { public: true, title: 'desk.verifyTitle' } },
]
