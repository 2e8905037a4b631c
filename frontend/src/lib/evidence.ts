// Where evidence opens: a page that shows a viewer beside its form provides `openEvidence`, and
// every evidence list inside it opens files there (with their names) instead of a blob tab.
import type { InjectionKey } from 'vue'

export interface EvidenceRef {
  id: string
  filename: string
  content_type: string
}

export const OPEN_EVIDENCE: InjectionKey<(file: EvidenceRef) => void> = Symbol('openEvidence')
