import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN'

export type Locale = 'zh-CN' | 'en'
const KEY = 'zc.locale'

function initialLocale(): Locale {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

// English is loaded when chosen: the first load of a Chinese user carries only Chinese.
export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN } as Record<Locale, typeof zhCN>,
})

async function load(locale: Locale): Promise<void> {
  if (locale === 'en' && !i18n.global.availableLocales.includes('en')) {
    i18n.global.setLocaleMessage('en', (await import('./locales/en')).default)
  }
}

/** The locale this browser chose last time, loaded (before the app mounts). */
export async function restoreLocale(): Promise<void> {
  const locale = initialLocale()
  if (locale !== 'zh-CN') await setLocale(locale)
}

export async function setLocale(locale: Locale): Promise<void> {
  await load(locale)
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    localStorage.setItem(KEY, locale)
  } catch {
    // private mode: the choice lasts for this page only
  }
}

/** Translate outside components (stores, helpers). */
export const t = (key: string, named?: Record<string, unknown>): string =>
  named ? i18n.global.t(key, named) : i18n.global.t(key)
