import { onMounted, ref, watch, type Ref } from 'vue'
import { messageOf } from './notify'

export interface PageOf<T> {
  items: T[]
  total: number
  /** The server stopped counting at `total` (a province's list says 10000+). */
  total_capped?: boolean
}

/**
 * A list the server pages: the rows of the current page, one load per page or size change, and
 * only the latest answer shown (an older one may arrive last). `search()` starts a new query at
 * its first page. A failure empties the rows and leaves its message in `failure`.
 */
export function usePagedList<T>(fetchPage: (page: number, pageSize: number) => Promise<PageOf<T>>, firstPageSize = 20) {
  const rows = ref([]) as Ref<T[]>
  const total = ref(0)
  const totalCapped = ref(false)
  const page = ref(1)
  const pageSize = ref(firstPageSize)
  const loading = ref(false)
  const failure = ref('')
  let latest = 0

  async function load(): Promise<void> {
    const ticket = ++latest
    loading.value = true
    failure.value = ''
    try {
      const answer = await fetchPage(page.value, pageSize.value)
      if (ticket !== latest) return
      rows.value = answer.items
      total.value = answer.total
      totalCapped.value = answer.total_capped ?? false
    } catch (error) {
      if (ticket !== latest) return
      rows.value = []
      failure.value = messageOf(error)
    } finally {
      if (ticket === latest) loading.value = false
    }
  }

  function search(): void {
    if (page.value === 1) void load()
    else page.value = 1
  }

  onMounted(load)
  // After rendering: Element Plus moves the page too when a new size leaves it past the end,
  // once it has re-rendered, so both changes come as one load.
  watch([page, pageSize], load, { flush: 'post' })
  return { rows, total, totalCapped, page, pageSize, loading, failure, load, search }
}
