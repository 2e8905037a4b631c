import { afterEach, describe, expect, it, vi } from 'vitest'
import ExpertSessionsPage from './ExpertSessionsPage.vue'
import { mountWithApp, settle } from '@/test/mount'
import * as sessions from '../api/sessions'

const summary = {
  id: 's1', committee_id: 'c1', name: '2026年度卫生系列中级评审会', year: 2026, series: 'health', level: 'intermediate',
  level_label: '中级', min_members: 11, quorum: { numerator: 2, denominator: 3 }, pass: { numerator: 2, denominator: 3 },
  vote_until: '2026-12-08T09:00:00Z', status: 'open',
}
const row = (id: string, name: string, voted: boolean, recused: boolean) => ({
  declaration_id: id, applicant_name: name, org_id: 'o1', org_name: '济阳区人民医院', specialty: '护理学',
  status: 'in_review', status_label: '评审中', voted, recused,
})

afterEach(() => vi.restoreAllMocks())

describe('ExpertSessionsPage (信息评审)', () => {
  it('shows which declarations the expert has voted on or recused from, and offers the vote on the others', async () => {
    vi.spyOn(sessions, 'listSessions').mockResolvedValue([summary] as Awaited<ReturnType<typeof sessions.listSessions>>)
    vi.spyOn(sessions, 'getSession').mockResolvedValue({
      ...summary, committee_name: '卫生系列中级职称评审委员会', managed: false, my_expert_id: 'e1', members: [], draws: [],
      declarations: [row('d1', '张护士', true, false), row('d2', '李护士', false, true), row('d3', '王护士', false, false)],
    } as Awaited<ReturnType<typeof sessions.getSession>>)
    const wrapper = mountWithApp(ExpertSessionsPage)
    await settle()
    expect(wrapper.text()).toContain('2026年度卫生系列中级评审会')
    await wrapper.find('.session button').trigger('click')
    await settle()
    const cards = wrapper.findAll('.declaration').map((card) => card.text())
    expect(cards).toHaveLength(3)
    expect(cards[0]).toContain('已投票')
    expect(cards[0]).not.toContain('不同意')
    expect(cards[1]).toContain('已回避')
    expect(cards[2]).toContain('同意')
    expect(cards[2]).toContain('弃权')
    expect(cards[2]).toContain('申请回避')
  })
})
