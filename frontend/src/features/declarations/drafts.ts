// Where an item being typed is kept in this browser until it is saved.
import { localCopy } from '@/lib/autosave'

/** The key of an item's draft: an existing item by its id, a new one by its section. */
export function itemDraftKey(declarationId: string, itemId: string | null, section: string): string {
  return `zc.draft.item.${declarationId}.${itemId ?? `new.${section}`}`
}

/** Whether a new item of `section` was being typed and not saved (it reopens with its values). */
export function hasNewItemDraft(declarationId: string, section: string): boolean {
  return localCopy.read(itemDraftKey(declarationId, null, section)) !== null
}

/** The ids of existing items with unsaved edits kept here. */
export function editedItemIds(declarationId: string, itemIds: readonly string[]): string[] {
  return itemIds.filter((id) => localCopy.read(itemDraftKey(declarationId, id, '')) !== null)
}
