import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ingestFigures } from './figures/ingest.ts'
import { build, curlUpload, startGateway } from './lib/app.ts'
import { writeDataset } from './lib/data.ts'

// Just the ingest figures (ingest against DuckDB's COPY, and the column profile's share of it),
// without the rest of the bench: node --experimental-transform-types bench/profile-main.ts
// (BENCH_ROWS, 10 million by default; BENCH_RUNS, 1).
const rows = Number(process.env.BENCH_ROWS ?? 10_000_000)
const runs = Number(process.env.BENCH_RUNS ?? 1)
build()
const scratch = await mkdtemp(join(tmpdir(), 'csvlake-bench-profile-'))
try {
  const csv = join(scratch, 'big.csv')
  await writeDataset(csv, rows)
  const dataDir = join(scratch, 'data')
  const app = await startGateway(dataDir)
  try {
    const uploaded = await curlUpload(app.url, csv)
    for (const r of await ingestFigures(app, String(uploaded.body.fileId), csv, rows, runs, scratch, dataDir)) {
      console.log(`${r.figure}: ${r.csvlake} vs ${r.reference} (${r.ratio}, target ${r.target}, met: ${r.met})`)
    }
  } finally {
    await app.stop()
  }
} finally {
  await rm(scratch, { recursive: true, force: true })
}
