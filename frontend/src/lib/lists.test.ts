import { describe, expect, it } from 'vitest'
import { depthOf, endsChoice, endsCounty, listOf } from './lists'

describe('national lists of a form field', () => {
  it('takes the list the template names, and 民族 of older templates by its key', () => {
    expect(listOf({ key: 'work_region', type: 'text', list: 'division' })).toBe('division')
    expect(listOf({ key: 'ethnicity', type: 'text', list: 'ethnicity' })).toBe('ethnicity')
    expect(listOf({ key: 'ethnicity', type: 'text' })).toBe('ethnicity')
    expect(listOf({ key: 'major', type: 'text' })).toBeUndefined()
    expect(listOf({ key: 'ethnicity', type: 'select' })).toBeUndefined()
  })

  it('ends a 行政区划 choice at the depth asked for, or where the tree ends earlier', () => {
    expect(depthOf({})).toBe(4)
    expect(depthOf({ depth: 3 })).toBe(3)
    expect(endsChoice({ depth: 4, leaf: true }, 4)).toBe(true)
    expect(endsChoice({ depth: 3, leaf: false }, 4)).toBe(false)
    expect(endsChoice({ depth: 3, leaf: false }, 3)).toBe(true)
    expect(endsChoice({ depth: 3, leaf: true }, 4)).toBe(true)
  })

  it('ends an organisation\'s 行政区划 at the county level of each branch', () => {
    expect(endsCounty({ county: false, leaf: false })).toBe(false)
    expect(endsCounty({ county: true, leaf: false })).toBe(true)
    expect(endsCounty({ county: false, leaf: true })).toBe(true)
  })
})
