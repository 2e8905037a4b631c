// Declarations as the API sends them, and what the screens derive from them.
import type { Schemas } from './api/client'

export type Declaration = Schemas['DeclarationDto']
export type Item = Schemas['ItemDto']
export type Attachment = Schemas['AttachmentDto']
export type Form = Schemas['FormDto']
export type Section = Schemas['Section']
export type DeclarationEvent = Schemas['EventDto']
export type DeclarationStatus = Schemas['DeclarationStatus']

export type StepStatus = 'pending' | 'approved' | 'returned' | 'reported' | 'accepted'

/** One organisation the declaration reached in its latest round, with where it stands there. */
export interface LevelStep {
  orgId: string
  orgName: string
  status: StepStatus
  at: string
  opinion?: string | null
  actor?: string
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined
}

/**
 * 各级审核状态: the organisations of the latest round (since the last 确认申报), in order,
 * each with its latest status. A report moves the declaration to the next organisation.
 */
export function levelSteps(events: readonly DeclarationEvent[]): LevelStep[] {
  let steps: LevelStep[] = []
  const at = (orgId: string | null | undefined) => steps.find((s) => s.orgId === orgId)
  for (const event of events) {
    const orgId = event.org_id ?? ''
    const orgName = event.org_name ?? ''
    switch (event.action) {
      case 'submit':
      case 'resubmit':
        steps = [{ orgId, orgName, status: 'pending', at: event.at, actor: event.actor_name }]
        break
      case 'approve':
      case 'accept':
      case 'return': {
        const step = at(orgId) ?? { orgId, orgName, status: 'pending' as StepStatus, at: event.at }
        if (!steps.includes(step)) steps.push(step)
        step.status = event.action === 'approve' ? 'approved' : event.action === 'accept' ? 'accepted' : 'returned'
        step.at = event.at
        step.opinion = event.opinion
        step.actor = event.actor_name
        break
      }
      case 'report': {
        const from = at(orgId)
        if (from) {
          from.status = 'reported'
          from.at = event.at
        }
        const detail = (event.detail ?? {}) as Record<string, unknown>
        const toId = text(detail.to_org_id) ?? ''
        const toName = text(detail.to_org_name) ?? ''
        if (toId || toName) steps.push({ orgId: toId, orgName: toName, status: 'pending', at: event.at })
        break
      }
      default:
        break
    }
  }
  return steps
}
