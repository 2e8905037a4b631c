import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n, restoreLocale } from './config/i18n'
import './theme.css'
import './style.css'

// Element Plus is not installed whole: each template's `<el-*>` tags are imported with their CSS
// by unplugin-vue-components (vite.config.ts), so the login page carries only what it shows.
void restoreLocale().finally(() => createApp(App).use(createPinia()).use(i18n).use(router).mount('#app'))
