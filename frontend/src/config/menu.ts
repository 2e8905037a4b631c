import type { Me } from '@/lib/session'

export interface MenuEntry {
  /** route path */
  to: string
  /** i18n key of the label */
  label: string
  visible: (me: Me) => boolean
}

const orgMember = (me: Me) => me.role === 'org_admin' || me.role === 'reviewer'
const notBureau = (me: Me) => me.org?.kind !== 'hrss'

/** The 职称评审 menu, in the order of the operating guide. */
export const titleReviewMenu: MenuEntry[] = [
  { to: '/declarations', label: 'menu.declarations', visible: (me) => me.role === 'person' },
  { to: '/progress', label: 'menu.progress', visible: (me) => me.role === 'person' },
  { to: '/certificates', label: 'menu.certificates', visible: (me) => me.role === 'person' },
  { to: '/paths', label: 'menu.pathApply', visible: (me) => me.role === 'org_admin' && notBureau(me) },
  { to: '/path-audits', label: 'menu.pathAudit', visible: (me) => me.role === 'org_admin' && me.org?.kind !== 'enterprise' && me.org?.kind !== 'institution' },
  { to: '/reviewers', label: 'menu.reviewers', visible: (me) => me.role === 'org_admin' },
  { to: '/reviews', label: 'menu.reviews', visible: orgMember },
  { to: '/reports', label: 'menu.reports', visible: (me) => orgMember(me) && notBureau(me) },
  { to: '/dashboard', label: 'desk.dashboardTitle', visible: orgMember },
  { to: '/imports', label: 'desk.importTitle', visible: (me) => me.role === 'org_admin' && (me.org?.kind === 'enterprise' || me.org?.kind === 'institution') },
  { to: '/plans', label: 'menu.plans', visible: (me) => me.role === 'org_admin' && me.org?.kind === 'hrss' },
  { to: '/bureau', label: 'menu.bureau', visible: (me) => orgMember(me) && me.org?.kind === 'hrss' },
  { to: '/bureau/orgs', label: 'menu.orgVerification', visible: (me) => me.role === 'org_admin' && me.org?.kind === 'hrss' },
  { to: '/admin/audit', label: 'menu.audit', visible: (me) => me.role === 'admin' },
  { to: '/expert/sessions', label: 'menu.expertSessions', visible: (me) => me.role === 'expert' },
]

/** Where each account lands after login. */
export function homeOf(me: Me): string {
  if (me.role === 'person') return '/declarations'
  if (me.role === 'admin') return '/admin/audit'
  if (me.role === 'expert') return '/expert/sessions'
  if (me.org?.kind === 'hrss') return '/bureau'
  return '/reviews'
}
