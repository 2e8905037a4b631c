// The reviewer's queue: the list she came from (its filters, page and order), so that the review
// page can step to 上一条/下一条 and, after a decision, open the next waiting file without the list.
import { listReviews, type ReviewQuery } from './api/reviews'

export interface Queue {
  query: ReviewQuery
  page: number
  pageSize: number
  total: number
  ids: string[]
}

const KEY = 'zc.reviewQueue'

export function saveQueue(queue: Queue): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(queue))
  } catch {
    // private mode: the buttons then step through the waiting files only
  }
}

export function loadQueue(): Queue | null {
  try {
    const raw = sessionStorage.getItem(KEY)
    return raw ? (JSON.parse(raw) as Queue) : null
  } catch {
    return null
  }
}

async function pageOf(queue: Queue, page: number): Promise<Queue> {
  const answer = await listReviews(queue.query, page, queue.pageSize)
  const next = { ...queue, page, total: answer.total, ids: answer.items.map((row) => row.id) }
  saveQueue(next)
  return next
}

/** Where `id` sits in the queue: its position (1-based) and the total, when it is in the page kept. */
export function positionOf(id: string, queue: Queue | null): { n: number; total: number } | null {
  const index = queue?.ids.indexOf(id) ?? -1
  return queue && index >= 0 ? { n: (queue.page - 1) * queue.pageSize + index + 1, total: queue.total } : null
}

/**
 * The file before (-1) or after (+1) `id` in the list she came from, reading the neighbouring page
 * when `id` is at an edge of the page kept. Without a list, the files waiting for review.
 */
export async function neighbour(id: string, step: -1 | 1): Promise<string | null> {
  let queue = loadQueue() ?? { query: { status: 'pending' }, page: 1, pageSize: 20, total: 0, ids: [] }
  if (!queue.ids.includes(id)) queue = await pageOf(queue, 1)
  const index = queue.ids.indexOf(id)
  if (index < 0) return step === 1 ? (queue.ids.find((other) => other !== id) ?? null) : null
  const at = queue.ids[index + step]
  if (at) return at
  const page = queue.page + step
  if (page < 1 || (page - 1) * queue.pageSize >= queue.total) return null
  const turned = await pageOf(queue, page)
  return (step === 1 ? turned.ids[0] : turned.ids[turned.ids.length - 1]) ?? null
}

/**
 * After a decision on `id`: the next file still waiting. The list's next entry when it came from
 * the 待审核 list (what she decided has left it), else the first waiting file that is not `id`.
 */
export async function nextWaiting(id: string): Promise<string | null> {
  const queue = loadQueue()
  if (queue && (queue.query.status ?? 'pending') === 'pending') {
    const next = await neighbour(id, 1)
    if (next) return next
  }
  const waiting = await listReviews({ status: 'pending' }, 1, 2)
  return waiting.items.map((row) => row.id).find((other) => other !== id) ?? null
}
