// The title catalogue (职称系列 with levels and specialties), read once per session.
import { ref, type Ref } from 'vue'
import { api, call, type Schemas } from './api/client'
import { messageOf } from './notify'

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
/** Why the catalogue could not be read ('' when it was, or is being read). */
const seriesError = ref('')
let loading: Promise<Series[]> | null = null

export function loadSeries(): Promise<Series[]> {
  if (series.value.length) return Promise.resolve(series.value)
  seriesError.value = ''
  loading ??= call(api.GET('/api/v1/series', {}))
    .then((answer) => (series.value = answer.filter((s) => s.active)))
    .catch((error: unknown) => {
      seriesError.value = messageOf(error)
      throw error
    })
    .finally(() => (loading = null))
  return loading
}

/** The catalogue, read on first use; `error` says why it could not be read, `retry` reads it again. */
export function useSeries(): { series: Ref<Series[]>; error: Ref<string>; retry: () => void } {
  const retry = () => void loadSeries().catch(() => undefined)
  retry()
  return { series, error: seriesError, retry }
}

export function levelsOf(code: string | null | undefined): Schemas['SeriesLevelDto'][] {
  return series.value.find((s) => s.code === code)?.levels.filter((level) => level.active) ?? []
}

export function specialtiesOf(code: string | null | undefined): Schemas['SpecialtyDto'][] {
  return series.value.find((s) => s.code === code)?.specialties.filter((s) => s.active) ?? []
}

export async function searchOrgs(q: string, kind?: OrgKind, page = 1, asParent = false): Promise<Schemas['Page_PublicOrg']> {
  const as_parent = asParent || undefined
  return call(api.GET('/api/v1/orgs', { params: { query: { q, kind, as_parent, page, page_size: 20 } } }))
}
