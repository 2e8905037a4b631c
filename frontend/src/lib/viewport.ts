import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** True on phone-width screens (≤ 768 px), kept up to date as the window changes. */
export function useNarrow(query = '(max-width: 768px)'): Ref<boolean> {
  const media = window.matchMedia(query)
  const narrow = ref(media.matches)
  const update = () => (narrow.value = media.matches)
  onMounted(() => media.addEventListener('change', update))
  onBeforeUnmount(() => media.removeEventListener('change', update))
  return narrow
}
