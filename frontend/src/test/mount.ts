// Mounting helpers for component tests: Element Plus and the Chinese catalogue, as in the app.
import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import type { Component } from 'vue'
import { i18n } from '@/config/i18n'

// jsdom has neither matchMedia (useNarrow asks it: a wide screen that never changes) nor scrolling.
Element.prototype.scrollIntoView ??= () => undefined
window.matchMedia ??= (query: string) =>
  ({ matches: false, media: query, addEventListener: () => undefined, removeEventListener: () => undefined }) as unknown as MediaQueryList

export function mountWithApp<C extends Component>(component: C, options: ComponentMountingOptions<C> = {}) {
  return mount(component, {
    ...options,
    global: { ...options.global, plugins: [ElementPlus, i18n, ...(options.global?.plugins ?? [])] },
  } as ComponentMountingOptions<C>)
}

/** Lets promise chains and Vue updates settle. */
export async function settle(times = 3): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

/** Element Plus shows a form item's error after a short debounce. */
export const afterDebounce = () => new Promise((resolve) => setTimeout(resolve, 150))
