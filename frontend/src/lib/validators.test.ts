import { describe, expect, it } from 'vitest'
import { isIdNumber, isPhone, isTotpCode, isUscc, isUsername, passwordStrongEnough } from './validators'

describe('validators (same samples as the server)', () => {
  it('checks the GB 11643 ID number check digit and birth date', () => {
    for (const good of ['11010519491231002X', '360426199101010071', '44011320141005001X', '110102199101010078', '370126199003050024']) {
      expect(isIdNumber(good), good).toBe(true)
    }
    expect(isIdNumber('360426199101010072')).toBe(false)
    expect(isIdNumber('11010519491331002X')).toBe(false)
    expect(isIdNumber('1101051949123100')).toBe(false)
  })

  it('checks the GB 32100 credit code check character', () => {
    for (const good of ['91110000600037341L', '91350100M000100Y43', '9144030071526726XG', '121200004013590816', '91620105L015101280']) {
      expect(isUscc(good), good).toBe(true)
    }
    expect(isUscc('91110000600037341N')).toBe(false)
  })

  it('checks phones, usernames and the password policy', () => {
    expect(isPhone('139 0531 0100')).toBe(true)
    expect(isPhone('+8613905310100')).toBe(true)
    expect(isPhone('12905310100')).toBe(false)
    expect(isUsername('nurse_li')).toBe(true)
    expect(isUsername('13800138000')).toBe(false)
    expect(passwordStrongEnough('Demo#2026zc')).toBe(true)
    expect(passwordStrongEnough('abcdefgh1')).toBe(false)
    expect(passwordStrongEnough('Ab1!')).toBe(false)
  })

  it('checks a 动态口令 as the server does: 6 digits, spaces allowed', () => {
    expect(isTotpCode('123456')).toBe(true)
    expect(isTotpCode('123 456')).toBe(true)
    expect(isTotpCode('12345')).toBe(false)
    expect(isTotpCode('12345a')).toBe(false)
  })
})
