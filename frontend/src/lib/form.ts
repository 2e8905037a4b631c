// Forms rendered from a series' template (GET /series/{code}/form): the values a field holds and
// the checks the browser makes before the server makes them again on 确认申报.
import type { Schemas } from './api/client'

/** One field of a form template, as GET /series/{code}/form serves it. */
export type TemplateField = Schemas['Field']
export type FieldType = TemplateField['type']

export type FieldValue = string | number | null | undefined
export type FormData = Record<string, unknown>

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
}

/** A value as the field keeps it: numbers for number/year, strings otherwise. */
export function normalise(field: TemplateField, value: unknown): FieldValue {
  if (isEmpty(value)) return null
  if (field.type === 'number' || field.type === 'year') {
    const number = typeof value === 'number' ? value : Number(String(value).trim())
    return Number.isFinite(number) ? number : String(value)
  }
  return typeof value === 'string' ? value : String(value)
}

export interface FieldProblem {
  key: string
  kind: 'required' | 'min' | 'max' | 'number' | 'option' | 'date'
}

/** The first problem of each field, in the template's order. */
export function checkFields(fields: readonly TemplateField[], data: FormData): FieldProblem[] {
  const problems: FieldProblem[] = []
  for (const field of fields) {
    const value = data[field.key]
    if (isEmpty(value)) {
      if (field.required) problems.push({ key: field.key, kind: 'required' })
      continue
    }
    if (field.type === 'number' || field.type === 'year') {
      const number = typeof value === 'number' ? value : Number(String(value))
      if (!Number.isFinite(number) || (field.type === 'year' && !Number.isInteger(number))) {
        problems.push({ key: field.key, kind: 'number' })
      } else if (field.min != null && number < field.min) {
        problems.push({ key: field.key, kind: 'min' })
      } else if (field.max != null && number > field.max) {
        problems.push({ key: field.key, kind: 'max' })
      }
    } else if (field.type === 'select' && field.options && !field.options.includes(String(value))) {
      problems.push({ key: field.key, kind: 'option' })
    } else if (field.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(value))) {
      problems.push({ key: field.key, kind: 'date' })
    } else if ((field.type === 'text' || field.type === 'long_text') && typeof value === 'string') {
      if (field.max != null && value.length > field.max) problems.push({ key: field.key, kind: 'max' })
      else if (field.min != null && value.trim().length < field.min) problems.push({ key: field.key, kind: 'min' })
    }
  }
  return problems
}

/** Only the template's keys, normalised, dropping empty values. */
export function cleanData(fields: readonly TemplateField[], data: FormData): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {}
  for (const field of fields) {
    const value = normalise(field, data[field.key])
    if (value !== null && value !== undefined) out[field.key] = value
  }
  return out
}

/** The template's keys for a merge (PATCH), normalised, with `null` for empty ones so the merge clears them. */
export function mergeData(fields: readonly TemplateField[], data: FormData): Record<string, FieldValue> {
  return Object.fromEntries(fields.map((field) => [field.key, normalise(field, data[field.key])]))
}
