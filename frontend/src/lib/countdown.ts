/** The parts of a countdown of `seconds` (never below zero). */
export function countdownParts(seconds: number): { days: number; hours: number; minutes: number; seconds: number } {
  const left = Math.max(0, Math.floor(seconds))
  return {
    days: Math.floor(left / 86400),
    hours: Math.floor((left % 86400) / 3600),
    minutes: Math.floor((left % 3600) / 60),
    seconds: left % 60,
  }
}

/** 12天3小时5分9秒: the largest parts only, so a far close reads short and a near one exact. */
export function countdownText(seconds: number, units: { d: string; h: string; m: string; s: string }): string {
  const p = countdownParts(seconds)
  if (p.days > 0) return `${p.days}${units.d}${p.hours}${units.h}`
  if (p.hours > 0) return `${p.hours}${units.h}${p.minutes}${units.m}`
  return `${p.minutes}${units.m}${p.seconds}${units.s}`
}
