#!/usr/bin/env node
// Lists the licences of the npm packages each folder's package-lock.json pins (production and
// development apart) and fails when one is copyleft (GPL, AGPL, LGPL, SSPL) with no permissive
// alternative, or when a production package declares none. The lockfile (v2/v3) records each
// package's licence, so this works offline and before `npm ci`.
//   node scripts/npm-licenses.mjs frontend e2e/browser
import { readFileSync } from 'node:fs'

const COPYLEFT = /^(A|L)?GPL|^SSPL|^EUPL|^OSL/i

/** The licences of an SPDX expression one may choose from: any branch of an OR will do. */
function acceptable(expression) {
  const text = String(expression).replace(/[()]/g, ' ')
  return text.split(/\s+OR\s+|\//).some((branch) =>
    branch.split(/\s+AND\s+/).every((id) => id.trim() !== '' && !COPYLEFT.test(id.trim())),
  )
}

let failures = 0
for (const dir of process.argv.slice(2)) {
  const lock = JSON.parse(readFileSync(`${dir}/package-lock.json`, 'utf8'))
  const summary = { production: new Map(), development: new Map() }
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.link) continue
    const name = path.replace(/^.*node_modules\//, '')
    const kind = entry.dev || entry.devOptional ? 'development' : 'production'
    const license = entry.license ?? (kind === 'production' ? 'UNKNOWN' : 'UNKNOWN (dev)')
    const names = summary[kind].get(license) ?? []
    names.push(name)
    summary[kind].set(license, names)
    if (!acceptable(license) || (kind === 'production' && license === 'UNKNOWN')) {
      console.error(`✗ ${dir}: ${name}@${entry.version} is ${license} (${kind})`)
      failures += 1
    }
  }
  for (const kind of ['production', 'development']) {
    const rows = [...summary[kind].entries()].sort((a, b) => b[1].length - a[1].length)
    console.log(`${dir} — ${kind} packages: ${rows.reduce((n, [, names]) => n + names.length, 0)}`)
    for (const [license, names] of rows) {
      const few = names.length <= 3 ? ` (${names.join(', ')})` : ''
      console.log(`  ${String(names.length).padStart(4)}  ${license}${few}`)
    }
  }
}
if (failures > 0) {
  console.error(`${failures} package(s) with a copyleft or missing licence`)
  process.exit(1)
}
