import { join } from 'node:path'
import { runBench } from './run.ts'

// npm run bench; BENCH_ROWS, BENCH_RUNS, BENCH_LOAD_SECONDS, BENCH_NAIVE_ROWS and BENCH_HISTORY_UPLOADS make it smaller or bigger.
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const { markdown } = await runBench({
  rows: env('BENCH_ROWS', 10_000_000),
  runs: env('BENCH_RUNS', 3),
  loadSeconds: env('BENCH_LOAD_SECONDS', 10),
  naiveRows: env('BENCH_NAIVE_ROWS', 2_000_000),
  historyUploads: env('BENCH_HISTORY_UPLOADS', 10_000),
  out: process.env.BENCH_OUT ?? join(import.meta.dirname, 'RESULTS.md'),
  log: (line) => console.log(line),
})
console.log('\n' + markdown)
