import { describe, expect, it } from 'vitest'
import { levelSteps, type DeclarationEvent } from './declaration'

let n = 0
const event = (action: string, org: [string, string] | null, extra: Partial<DeclarationEvent> = {}): DeclarationEvent => ({
  id: String(++n),
  at: `2026-03-0${n}T02:00:00Z`,
  action,
  action_label: action,
  actor_name: '某人',
  org_id: org?.[0] ?? null,
  org_name: org?.[1] ?? null,
  ...extra,
})
const hospital: [string, string] = ['h', '济阳区中医医院']
const authority: [string, string] = ['a', '济阳区医疗保障局']
const bureau: [string, string] = ['b', '济南市济阳区人力资源和社会保障局']

describe('levelSteps (各级审核状态)', () => {
  it('follows the declaration up the chain to acceptance', () => {
    const steps = levelSteps([
      event('create', null),
      event('submit', hospital),
      event('approve', hospital, { opinion: '同意' }),
      event('report', hospital, { detail: { to_org_id: 'a', to_org_name: '济阳区医疗保障局' } }),
      event('approve', authority),
      event('report', authority, { detail: { to_org_id: 'b', to_org_name: '济南市济阳区人力资源和社会保障局' } }),
      event('accept', bureau, { opinion: '受理' }),
    ])
    expect(steps.map((s) => [s.orgName, s.status])).toEqual([
      ['济阳区中医医院', 'reported'],
      ['济阳区医疗保障局', 'reported'],
      ['济南市济阳区人力资源和社会保障局', 'accepted'],
    ])
    expect(steps[2]?.opinion).toBe('受理')
  })

  it('starts over at the employer after a return and a resubmission', () => {
    const steps = levelSteps([
      event('submit', hospital),
      event('return', hospital, { opinion: '学历证书不清晰' }),
      event('resubmit', hospital),
    ])
    expect(steps).toHaveLength(1)
    expect(steps[0]).toMatchObject({ orgName: '济阳区中医医院', status: 'pending' })
  })

  it('shows a return with its opinion', () => {
    const steps = levelSteps([event('submit', hospital), event('return', hospital, { opinion: '请补充年度考核' })])
    expect(steps[0]).toMatchObject({ status: 'returned', opinion: '请补充年度考核' })
  })
})
