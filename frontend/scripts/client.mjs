// Generates src/lib/api/schema.d.ts from ../openapi/openapi.json (openapi-typescript).
// With --check it only compares: a stale client fails the build.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'

const spec = new URL('../../openapi/openapi.json', import.meta.url)
const target = fileURLToPath(new URL('../src/lib/api/schema.d.ts', import.meta.url))

const document = JSON.parse(readFileSync(spec, 'utf8'))
tolerateDanglingRefs(document)
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

/**
 * A `$ref` to a schema the document does not define would stop the generator; such a schema is
 * typed `unknown` instead, with a warning naming it (the fix belongs in the server's document).
 */
function tolerateDanglingRefs(doc) {
  const schemas = (doc.components ??= {}).schemas ??= {}
  const missing = new Set()
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (!node || typeof node !== 'object') return
    const ref = node.$ref
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length)
      if (!(name in schemas)) missing.add(name)
    }
    Object.values(node).forEach(walk)
  }
  walk(doc)
  for (const name of missing) {
    console.warn(`warning: openapi.json refers to #/components/schemas/${name} but does not define it; typed as unknown`)
    schemas[name] = { description: `Not defined by the server's document; typed as unknown.` }
  }
}
