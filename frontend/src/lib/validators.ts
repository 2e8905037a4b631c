// The same checks the server makes, run in the browser first so mistakes show at once.
// The server stays the judge: its field errors are shown next to the same fields.

/**
 * Codes typed with a Chinese input method come full-width (`３７０１２６…`, `１３８－…`): read them
 * in NFKC, as the server does, so they are digits.
 */
export function compatible(raw: string): string {
  return raw.normalize('NFKC').replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** GB 11643: 18 characters, a real birth date, and the check character. */
export function isIdNumber(raw: string): boolean {
  const value = compatible(raw).trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(value)) return false
  const y = Number(value.slice(6, 10))
  const m = Number(value.slice(10, 12))
  const d = Number(value.slice(12, 14))
  const birth = new Date(Date.UTC(y, m - 1, d))
  if (birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false
  if (y < 1900 || birth.getTime() > Date.now()) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * (ID_WEIGHTS[i] ?? 0)
  return ID_CHECK[sum % 11] === value[17]
}

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** GB 32100 unified social credit code: 18 characters and the check character. */
export function isUscc(raw: string): boolean {
  const value = compatible(raw).trim().toUpperCase()
  if (value.length !== 18) return false
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const index = USCC_ALPHABET.indexOf(value[i] ?? '')
    if (index < 0) return false
    sum += index * (USCC_WEIGHTS[i] ?? 0)
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31] === value[17]
}

/** Mainland mobile number, after dropping spaces, dashes and a leading +86. */
export function isPhone(raw: string): boolean {
  const value = compatible(raw).replace(/[\s-]/g, '').replace(/^\+86/, '')
  return /^1[3-9]\d{9}$/.test(value)
}

/**
 * An organisation's 联系电话: a mobile number, or a landline with its area code (0531-84221234,
 * 010 6512 3456). A person's phone stays mobile ({@link isPhone}).
 */
export function isContactPhone(raw: string): boolean {
  if (isPhone(raw)) return true
  const value = compatible(raw).replace(/\s/g, '').replace(/^\+86-?/, '0')
  return /^0\d{2,3}-?[1-9]\d{6,7}$/.test(value) && !value.startsWith('00')
}

/** A 动态口令: 6 digits; spaces are dropped, as apps show `123 456`. */
export function isTotpCode(raw: string): boolean {
  return /^\d{6}$/.test(raw.replace(/\s/g, ''))
}

/** 4–32 characters, a letter first, then letters, digits, `_`, `.` or `-`. */
export function isUsername(raw: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_.-]{3,31}$/.test(compatible(raw).trim())
}

/** At least 8 characters from three of: lower, upper, digit, symbol. */
export function passwordStrongEnough(raw: string): boolean {
  if (raw.length < 8 || raw.length > 128) return false
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(raw)).length
  return classes >= 3
}

