// 本次修改: what changed in a resubmitted declaration since it was returned, from the snapshot the
// server kept at the return (GET /reviews/{id} → since_return) and the declaration as it is now.
import type { Schemas } from './api/client'
import type { Declaration, Form } from './declaration'
import type { TemplateField as TemplateValueField } from './form'

export type ReturnSnapshot = Schemas['ReturnSnapshotDto']

export interface FileRef {
  id: string
  filename: string
}

export interface FieldChange {
  key: string
  label: string
  before: string
  after: string
}

export interface ItemChange {
  /** `info` is the 申报信息; the rest name an item by its id. */
  kind: 'info' | 'modified' | 'added' | 'removed'
  itemId: string | null
  section: string | null
  sectionName: string
  fields: FieldChange[]
  filesAdded: FileRef[]
  filesRemoved: FileRef[]
}

export interface ChangeSummary {
  count: number
  changes: ItemChange[]
}

/** A stored value as a reader sees it: numbers and text alike, '' when empty. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

function fieldChanges(fields: readonly TemplateValueField[], before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const known = new Set(fields.map((f) => f.key))
  const keys = [...fields.map((f) => f.key), ...[...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !known.has(k))]
  const label = (key: string) => fields.find((f) => f.key === key)?.label ?? key
  return keys
    .map((key) => ({ key, label: label(key), before: shown(before[key]), after: shown(after[key]) }))
    .filter((change) => change.before !== change.after)
}

function filesDiff(before: readonly FileRef[], after: readonly FileRef[]): { added: FileRef[]; removed: FileRef[] } {
  const had = new Set(before.map((f) => f.id))
  const has = new Set(after.map((f) => f.id))
  return {
    added: after.filter((f) => !had.has(f.id)).map(({ id, filename }) => ({ id, filename })),
    removed: before.filter((f) => !has.has(f.id)).map(({ id, filename }) => ({ id, filename })),
  }
}

const asRecord = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {})

/**
 * Every change since the return, in the form's order: the 申报信息 first (one entry for all its
 * fields), then each item changed, added or removed, section by section. An item counts as changed
 * when a value or its evidence differs; one whose values were saved again unchanged does not.
 */
export function changeSummary(snapshot: ReturnSnapshot | null | undefined, declaration: Declaration, form: Form): ChangeSummary {
  if (!snapshot) return { count: 0, changes: [] }
  const changes: ItemChange[] = []
  const info = fieldChanges(form.info_fields, asRecord(snapshot.info), asRecord(declaration.info))
  if (info.length) changes.push({ kind: 'info', itemId: null, section: null, sectionName: '', fields: info, filesAdded: [], filesRemoved: [] })
  const sections = form.sections.map((s) => s.code)
  const rank = (code: string) => (sections.includes(code) ? sections.indexOf(code) : sections.length)
  const then = new Map(snapshot.items.map((item) => [item.id, item]))
  const now = new Map(declaration.items.map((item) => [item.id, item]))
  const ids = [...declaration.items.map((i) => i.id), ...snapshot.items.filter((i) => !now.has(i.id)).map((i) => i.id)]
  const ordered = ids
    .map((id, index) => ({ id, index, section: now.get(id)?.section ?? then.get(id)?.section ?? '' }))
    .sort((a, b) => rank(a.section) - rank(b.section) || a.index - b.index)
  for (const { id, section } of ordered) {
    const fields = form.sections.find((s) => s.code === section)?.fields ?? []
    const sectionName = form.sections.find((s) => s.code === section)?.name ?? section
    const before = then.get(id)
    const after = now.get(id)
    const dataBefore = asRecord(before?.data)
    const dataAfter = asRecord(after?.data)
    const files = filesDiff(before?.attachments ?? [], after?.attachments ?? [])
    const kind: ItemChange['kind'] = !before ? 'added' : !after ? 'removed' : 'modified'
    const changed = fieldChanges(fields, dataBefore, dataAfter)
    if (kind === 'modified' && !changed.length && !files.added.length && !files.removed.length) continue
    changes.push({ kind, itemId: id, section, sectionName, fields: changed, filesAdded: files.added, filesRemoved: files.removed })
  }
  return { count: changes.length, changes }
}
