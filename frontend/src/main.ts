import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './config/i18n'
import './style.css'

createApp(App).use(createPinia()).use(i18n).use(ElementPlus).use(router).mount('#app')
