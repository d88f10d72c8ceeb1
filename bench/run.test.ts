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
    for (const name of ['upload throughput', 'memory growth', 'aws mode: upload', 'preview p50', 'ingest', 'GROUP BY', 'point lookup', 'small query', 'full export', 'cold start of the query function', 'naive build']) {
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
