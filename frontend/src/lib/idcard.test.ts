import { describe, expect, it } from 'vitest'
import { derivedInfo, factsOf } from './idcard'

describe('factsOf (ID number → sex and birth date)', () => {
  it('reads the birth date and the sex digit (odd 男, even 女)', () => {
    expect(factsOf('11010519491231002X')).toEqual({ gender: '女', birthDate: '1949-12-31' })
    expect(factsOf('360426199101010071')).toEqual({ gender: '男', birthDate: '1991-01-01' })
    expect(factsOf('44011320141005001x')).toEqual({ gender: '男', birthDate: '2014-10-05' })
    expect(factsOf(' 370126199003050024 ')).toEqual({ gender: '女', birthDate: '1990-03-05' })
    expect(factsOf('３７０１２６１９９００３０５００２４')).toEqual({ gender: '女', birthDate: '1990-03-05' })
  })

  it('says nothing for a wrong check digit, a masked or a short number', () => {
    expect(factsOf('360426199101010072')).toBeNull()
    expect(factsOf('3701**********0024')).toBeNull()
    expect(factsOf('37012619900305')).toBeNull()
    expect(factsOf(null)).toBeNull()
  })

  it('fills the 申报信息 keys the templates use', () => {
    expect(derivedInfo('370126199003050024')).toEqual({ gender: '女', birth_date: '1990-03-05' })
    expect(derivedInfo('bad')).toEqual({})
  })
})
