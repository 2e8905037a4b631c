import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import ElementPlus from 'unplugin-element-plus/vite'
import { compression } from 'vite-plugin-compression2'
import { defineConfig } from 'vitest/config'

// The binary serves dist/ at `/`; in `vite dev` the API is proxied to a local `make run`.
//
// Fast on a phone (issue 17): only the Element Plus parts a page uses are bundled with it
// (`unplugin-vue-components` resolves the `<el-*>` tags of each template, with their CSS;
// `unplugin-element-plus` adds the CSS of what a script imports, e.g. ElMessageBox), every route
// is its own chunk, and every asset is written a second and third time as `.gz` and `.br`
// (`vite-plugin-compression2`, best levels) for the binary to serve without compressing per request.
function onDemand() {
  return [
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })],
      dts: false,
      // Only Element Plus tags; our own components are imported by hand.
      dirs: [],
    }),
    ElementPlus({ useSource: false }),
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 1024, include: /\.(html|css|js|mjs|json|svg|map)$/ }),
  ]
}

export default defineConfig({
  plugins: [
    vue(),
    // Component tests install Element Plus whole (src/test/mount.ts) and load no CSS.
    ...(process.env.VITEST ? [] : onDemand()),
  ],

  // vue-i18n feature flags: Composition API only, no devtools in production.
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  build: {
    outDir: 'dist',
    // The budget the browser suite checks is 250 KB compressed for the first route; this only
    // warns about a single chunk far past it.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // Few requests on the first load (each costs a round trip on a slow network): the framework
        // in one chunk, and Element Plus's shared internals (not its components) in another.
        advancedChunks: {
          groups: [
            { name: 'framework', test: /node_modules[\\/](@vue|vue|vue-router|pinia|vue-i18n|@intlify|openapi-fetch)[\\/]/, priority: 20 },
            { name: 'element-core', test: /node_modules[\\/](element-plus[\\/]es[\\/](utils|hooks|constants|locale|directives|components[\\/](form|config-provider)[\\/])|@element-plus[\\/]icons-vue|@floating-ui|@vueuse|lodash-es|lodash-unified|dayjs|async-validator|memoize-one|normalize-wheel-es|@ctrl)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    // Mounting Element Plus pages in jsdom takes seconds on a busy 2-core machine.
    testTimeout: 20_000,
  },
})
