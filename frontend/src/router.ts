import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { homeOf } from '@/config/menu'
import { t } from '@/config/i18n'
import { useSession, type Role } from '@/lib/session'
import { authRoutes } from '@/features/auth/routes'
import { accountRoutes } from '@/features/account/routes'
import { pathRoutes } from '@/features/paths/routes'
import { reviewerRoutes } from '@/features/reviewers/routes'
import { reviewRoutes } from '@/features/reviews/routes'
import { reportRoutes } from '@/features/reports/routes'
import { declarationRoutes } from '@/features/declarations/routes'
import { bureauRoutes } from '@/features/bureau/routes'
import { planRoutes } from '@/features/plans/routes'
import { adminRoutes } from '@/features/admin/routes'
import { messageRoutes } from '@/features/messages/routes'
import { deskRoutes, verifyRoutes } from '@/features/desk/routes'
import { committeeRoutes } from '@/features/committees/routes'
import { publicityPublicRoutes, publicityRoutes } from '@/features/publicity/routes'

declare module 'vue-router' {
  interface RouteMeta {
    /** reachable without logging in */
    public?: boolean
    /** roles allowed; any logged-in account when absent */
    roles?: Role[]
    /** i18n key of the page title */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  ...authRoutes,
  ...verifyRoutes,
  ...publicityPublicRoutes,
  {
    path: '/',
    // The logged-in frame is its own chunk: the login page does not carry the menu and header.
    component: () => import('@/shell/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/shell/HomeRedirect.vue') },
      ...accountRoutes,
      ...pathRoutes,
      ...reviewerRoutes,
      ...reviewRoutes,
      ...reportRoutes,
      ...declarationRoutes,
      ...bureauRoutes,
      ...planRoutes,
      ...adminRoutes,
      ...messageRoutes,
      ...deskRoutes,
      ...committeeRoutes,
      ...publicityRoutes,
    ],
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/shell/NotFound.vue'), meta: { public: true } },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const session = useSession()
  const me = await session.load()
  if (to.meta.public) {
    // A logged-in account has nothing to do on the login page.
    if (me && to.name === 'login') return homeOf(me)
    return true
  }
  if (!me) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  if (to.name === 'home') return homeOf(me)
  if (to.meta.roles && !to.meta.roles.includes(me.role)) return homeOf(me)
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${t(to.meta.title)} - ${t('app.title')}` : t('app.title')
})
