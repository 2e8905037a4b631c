// Valid identifiers for fresh accounts: GB 11643 ID numbers and GB 32100 credit codes.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/** An ID number born on `birth` (YYYYMMDD) in 济阳区 with sequence `seq` (odd: male, even: female). */
export function idNumber(birth: string, seq: number): string {
  const body = `370126${birth}${String(seq).padStart(3, '0')}`
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * (ID_WEIGHTS[i] ?? 0), 0)
  return body + '10X98765432'[sum % 11]
}

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** A credit code from 17 characters of body. */
export function uscc(body17: string): string {
  const sum = [...body17].reduce((acc, ch, i) => acc + ALPHABET.indexOf(ch) * (USCC_WEIGHTS[i] ?? 0), 0)
  return body17 + ALPHABET[(31 - (sum % 31)) % 31]
}
