// The naive build: read the whole CSV into memory with csv-parse, then GROUP BY in JavaScript.
// Usage: node naive.mjs <file>; prints {ms, maxRssBytes, groups} as JSON.
import { parse } from 'csv-parse/sync'
import { readFileSync } from 'node:fs'

const start = performance.now()
const records = parse(readFileSync(process.argv[2]!), { columns: true }) as Record<string, string>[]
const groups = new Map<string, { n: number; total: number }>()
for (const r of records) {
  const g = groups.get(r.region!) ?? { n: 0, total: 0 }
  g.n++
  if (r.amount) g.total += Number(r.amount)
  groups.set(r.region!, g)
}
const ms = performance.now() - start
process.stdout.write(JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, groups: groups.size }))
