// The title catalogue (职称系列 with levels and specialties), read once per session.
import { ref, type Ref } from 'vue'
import { api, call, type Schemas } from './api/client'

export type Series = Schemas['SeriesDto']
export type Level = Schemas['Level']
export type OrgKind = Schemas['OrgKind']
export type PublicOrg = Schemas['PublicOrg']

export const LEVELS: Level[] = ['senior', 'deputy_senior', 'intermediate', 'assistant', 'staff']

/** Where each kind of organisation reports (SPEC §2). */
export const PARENT_KIND: Partial<Record<OrgKind, OrgKind>> = {
  institution: 'authority',
  enterprise: 'township',
  authority: 'hrss',
  township: 'hrss',
}

const series = ref<Series[]>([])
let loading: Promise<Series[]> | null = null

export function loadSeries(): Promise<Series[]> {
  if (series.value.length) return Promise.resolve(series.value)
  loading ??= call(api.GET('/api/v1/series', {}))
    .then((answer) => (series.value = answer.filter((s) => s.active)))
    .finally(() => (loading = null))
  return loading
}

export function useSeries(): { series: Ref<Series[]>; ready: Promise<Series[]> } {
  return { series, ready: loadSeries().catch(() => []) }
}

export function seriesName(code: string | null | undefined): string {
  return series.value.find((s) => s.code === code)?.name ?? code ?? ''
}

export function levelsOf(code: string | null | undefined): Schemas['SeriesLevelDto'][] {
  return series.value.find((s) => s.code === code)?.levels.filter((level) => level.active) ?? []
}

export function specialtiesOf(code: string | null | undefined): Schemas['SpecialtyDto'][] {
  return series.value.find((s) => s.code === code)?.specialties.filter((s) => s.active) ?? []
}

export async function searchOrgs(q: string, kind?: OrgKind, page = 1): Promise<Schemas['Page_PublicOrg']> {
  return call(api.GET('/api/v1/orgs', { params: { query: { q, kind, page, page_size: 20 } } }))
}
