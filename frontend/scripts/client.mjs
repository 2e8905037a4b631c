// Generates src/lib/api/schema.d.ts from ../openapi/openapi.json (openapi-typescript).
// With --check it only compares: a stale client fails the build.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'

const spec = new URL('../../openapi/openapi.json', import.meta.url)
const target = fileURLToPath(new URL('../src/lib/api/schema.d.ts', import.meta.url))

const document = JSON.parse(readFileSync(spec, 'utf8'))
// Free-form objects (form data, 申报信息) are `Record<string, unknown>`, not `Record<string, never>`.
const ast = await openapiTS(document, { emptyObjectsUnknown: true })
const fresh = COMMENT_HEADER + astToString(ast)

if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : ''
  if (current !== fresh) {
    console.error('src/lib/api/schema.d.ts is stale: run `make client` (npm run client) and commit it.')
    process.exit(1)
  }
  console.log('API client is up to date with openapi/openapi.json')
} else {
  writeFileSync(target, fresh)
  console.log(`wrote ${target}`)
}

