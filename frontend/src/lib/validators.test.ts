import { describe, expect, it } from 'vitest'
import { compatible, isContactPhone, isIdNumber, isPhone, isTotpCode, isUscc, isUsername, passwordStrongEnough } from './validators'

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

describe('isContactPhone (单位联系电话)', () => {
  it('takes a mobile number or a landline with its area code', () => {
    for (const ok of ['0531-84221234', '0531 8422 1234', '053184221234', '010-65123456', '021-6212345', '13800138000']) expect(isContactPhone(ok), ok).toBe(true)
    for (const bad of ['84221234', '0531-842212', '00531-84221234', '0531-04221234', '531-84221234', '']) expect(isContactPhone(bad), bad).toBe(false)
  })

  it('reads codes typed in full-width digits as the server does (NFKC)', () => {
    const fullWidth = (text: string) => text.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x21 + 0xff01))
    expect(compatible('３７０１２６１９９００３０５００２４')).toBe('370126199003050024')
    expect(isIdNumber(fullWidth('370126199003050024'))).toBe(true)
    expect(isIdNumber(fullWidth('11010519491231002X'))).toBe(true)
    expect(isIdNumber('３６０４２６１９９１０１０１００７２')).toBe(false)
    expect(isPhone('１３９－０５３１－０１００')).toBe(true)
    expect(isPhone(fullWidth('13905310100'))).toBe(true)
    expect(isContactPhone('０５３１－８４２２１２３４')).toBe(true)
    expect(isUscc(fullWidth('91110000600037341L'))).toBe(true)
    expect(isUsername(fullWidth('nurse_li'))).toBe(true)
  })
})
