// What an ID number (GB 11643) says about its holder: the birth date (digits 7–14) and the sex
// (digit 17: odd for men, even for women). The form shows them; nobody types them.
import { compatible, isIdNumber } from './validators'

export interface IdFacts {
  gender: '男' | '女'
  /** YYYY-MM-DD */
  birthDate: string
}

/** The facts of a valid 18-digit ID number; null for anything else (masked, malformed, wrong check). */
export function factsOf(idNumber: string | null | undefined): IdFacts | null {
  const value = compatible(idNumber ?? '').trim().toUpperCase()
  if (!isIdNumber(value)) return null
  const sexDigit = Number(value[16])
  return {
    gender: sexDigit % 2 === 1 ? '男' : '女',
    birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
  }
}

/** The 申报信息 keys filled from the ID number, by the keys the templates use. */
export const DERIVED_KEYS = ['gender', 'birth_date'] as const

export function derivedInfo(idNumber: string | null | undefined): Record<string, string> {
  const facts = factsOf(idNumber)
  return facts ? { gender: facts.gender, birth_date: facts.birthDate } : {}
}
