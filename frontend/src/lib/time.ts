// Every instant is shown in Beijing time, whatever the browser's own zone.

const zone = 'Asia/Shanghai'

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: zone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

const dateOnly = new Intl.DateTimeFormat('zh-CN', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })

function parts(format: Intl.DateTimeFormat, value: Date): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of format.formatToParts(value)) out[part.type] = part.value
  return out
}

/** `2026-03-05 14:07:09` in Beijing time; '' for an empty or unreadable value. */
export function beijingDateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  const p = parts(dateTime, date)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** The current year in Beijing. */
export function beijingYear(now: Date = new Date()): number {
  return Number(parts(dateOnly, now).year)
}
