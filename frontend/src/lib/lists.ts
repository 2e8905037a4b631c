// National lists a form field is chosen from instead of typed (`list` in the template): the 56
// 民族 of GB/T 3304 and the 行政区划 of GB/T 2260. The server keeps both and checks the values;
// the SPA reads them from it (GET /catalogue/ethnicities, GET /divisions), once per session.
import { ref, type Ref } from 'vue'
import { api, call, type Schemas } from './api/client'
import type { TemplateField } from './form'

export type NationalList = Schemas['NationalList']
export type Division = Schemas['DivisionDto']

/**
 * The list a field is chosen from. Forms from before lists were data (older template versions
 * pinned by older declarations) keep 民族 as a plain text field keyed `ethnicity`.
 */
export function listOf(field: Pick<TemplateField, 'key' | 'type' | 'list'>): NationalList | undefined {
  if (field.type !== 'text') return undefined
  return field.list ?? (field.key === 'ethnicity' ? 'ethnicity' : undefined)
}

/** How deep a 行政区划 field's choice goes (1 省 … 4 乡镇（街道）). */
export const depthOf = (field: Pick<TemplateField, 'depth'>): number => field.depth ?? 4

/** What an empty value of a field reads as: an open-ended 截止时间 is 至今. */
export const EMPTY_READS: Record<string, string> = { end_date: '至今' }

const ethnicities = ref<string[]>([])
let ethnicitiesLoading: Promise<string[]> | null = null

/** The 56 民族, read on first use. */
export function useEthnicities(): Ref<string[]> {
  if (!ethnicities.value.length) {
    ethnicitiesLoading ??= call(api.GET('/api/v1/catalogue/ethnicities', {}))
      .then((names) => (ethnicities.value = names))
      .catch(() => ethnicities.value)
      .finally(() => (ethnicitiesLoading = null))
  }
  return ethnicities
}

const childrenCache = new Map<string, Promise<Division[]>>()
const pathCache = new Map<string, Promise<Schemas['DivisionPathDto']>>()

/** The divisions under `parent` (the provinces without one); kept for the session. */
export function divisionsUnder(parent?: string): Promise<Division[]> {
  const key = parent ?? ''
  let pending = childrenCache.get(key)
  if (!pending) {
    pending = call(api.GET('/api/v1/divisions', { params: { query: { parent } } }))
    pending.catch(() => childrenCache.delete(key))
    childrenCache.set(key, pending)
  }
  return pending
}

/** A division with the levels above it and its full name (山东省/济南市/济阳区/济阳街道). */
export function divisionPath(code: string): Promise<Schemas['DivisionPathDto']> {
  let pending = pathCache.get(code)
  if (!pending) {
    pending = call(api.GET('/api/v1/divisions/{code}', { params: { path: { code } } }))
    pending.catch(() => pathCache.delete(code))
    pathCache.set(code, pending)
  }
  return pending
}

/**
 * Whether a division ends the choice of a field asking for `depth`: it is at that depth, or
 * nothing lies below it (a branch of the national tree that ends early).
 */
export function endsChoice(division: Pick<Division, 'depth' | 'leaf'>, depth: number): boolean {
  return division.leaf || division.depth >= depth
}

/**
 * Whether a division ends the choice of an organisation's 行政区划: it is 区县级 (the last
 * six-digit code of its branch: 济阳区, 北京市/东城区, 东莞市), or nothing lies below it.
 */
export function endsCounty(division: Pick<Division, 'county' | 'leaf'>): boolean {
  return division.county || division.leaf
}
