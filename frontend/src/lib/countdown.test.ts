import { describe, expect, it } from 'vitest'
import { countdownParts, countdownText } from './countdown'

const units = { d: '天', h: '小时', m: '分', s: '秒' }

describe('countdown', () => {
  it('splits seconds into days, hours, minutes and seconds', () => {
    expect(countdownParts(2 * 86400 + 3 * 3600 + 4 * 60 + 5)).toEqual({ days: 2, hours: 3, minutes: 4, seconds: 5 })
    expect(countdownParts(-7)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 })
  })
  it('reads short when far and exact near the close', () => {
    expect(countdownText(12 * 86400 + 3 * 3600 + 59, units)).toBe('12天3小时')
    expect(countdownText(3 * 3600 + 5 * 60, units)).toBe('3小时5分')
    expect(countdownText(65, units)).toBe('1分5秒')
    expect(countdownText(0, units)).toBe('0分0秒')
  })
})
