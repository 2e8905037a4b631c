import { describe, expect, it } from 'vitest'
import { refusedOutcomes } from './outcomes'

describe('refusedOutcomes', () => {
  const batch = [
    { id: 'd-1', name: '王晓燕' },
    { id: 'd-2', name: '李明' },
    { id: 'd-3', name: '赵强' },
  ]

  it('names each offender with its reason and marks the rest not reported', () => {
    const outcomes = refusedOutcomes(
      batch,
      [
        { field: '/declaration_ids/1', message: '申报单位尚未开通该系列、级别的上报路径' },
        { field: '/declaration_ids/2', message: '该申报已上报' },
      ],
      '未上报',
    )
    expect(outcomes).toEqual([
      { id: 'd-1', name: '王晓燕', ok: false, message: '未上报' },
      { id: 'd-2', name: '李明', ok: false, message: '申报单位尚未开通该系列、级别的上报路径', named: true },
      { id: 'd-3', name: '赵强', ok: false, message: '该申报已上报', named: true },
    ])
  })

  it('also understands offenders named by id', () => {
    const outcomes = refusedOutcomes(batch, [{ field: '/declaration_ids/d-3', message: '不在本单位' }], '未上报')
    expect(outcomes[2]?.message).toBe('不在本单位')
  })
})
