import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runBench } from './run.ts'

// A smoke run of the whole benchmark on a tiny data set, so the script cannot rot. It reports
// figures; it asserts that every one was measured, not that a target was met.
it('runs every figure of the benchmark end to end and writes the results table', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csvlake-bench-smoke-'))
  try {
    const out = join(dir, 'RESULTS.md')
    // The container figures build every image (minutes from cold): deploy/containers.test.ts runs them.
    const { rows } = await runBench({ rows: 3000, runs: 1, loadSeconds: 1, naiveRows: 1000, containers: false, out, log: () => {} })
    const figures = rows.map((r) => r.figure).join('\n')
    for (const name of ['upload throughput', 'memory growth', 'aws mode: upload', 'preview p50', 'ingest', 'column profile during ingest', 'GROUP BY', 'point lookup', 'small query', 'full export', 'cold start of the query function', 'naive build']) {
      expect(figures).toContain(name)
    }
    for (const row of rows) expect(row.csvlake).toMatch(/\d/)
    const markdown = await readFile(out, 'utf8')
    expect(markdown).toContain('| figure | csvlake | reference | ratio | target | met? |')
    expect(markdown).toMatch(/- node: v24\./)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}, 180_000)

// `npm run bench` runs bench/main.ts with Node's own TypeScript support, not through vitest: every
// module it loads (deploy/ and functions/ code included) must load that way.
it('loads as npm run bench runs it, with the flags its script gives Node', () => {
  const script = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['bench:run']!
  const flags = /node ((?:--[\w-]+ )*)bench\/main\.ts/.exec(script)?.[1]?.trim().split(' ').filter(Boolean) ?? []
  const loaded = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', "await import('./bench/run.ts')"], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' })
  expect(loaded.stderr).toBe('')
  expect(loaded.status).toBe(0)
})
