import { spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { concurrencyFigures } from './figures/concurrency.ts'
import { coldStartFigures } from './figures/cold-start.ts'
import { containerFigures } from './figures/containers.ts'
import { dockerRunning } from '../deploy/docker.ts'
import { exportFigures } from './figures/export.ts'
import { historyFigures } from './figures/history.ts'
import { ingestFigures } from './figures/ingest.ts'
import { naiveFigures } from './figures/naive.ts'
import { previewFigures } from './figures/preview.ts'
import { queryFigures } from './figures/queries.ts'
import { uploadFigures } from './figures/upload.ts'
import { s3UploadFigures } from './figures/s3-upload.ts'
import { build, curlUpload, REPO, startGateway } from './lib/app.ts'
import { writeDataset } from './lib/data.ts'
import { machine, renderResults } from './lib/report.ts'
import type { Row } from './lib/row.ts'

export type BenchOptions = {
  /** Rows of the big data set (10 million, about 1 GiB, by default). */
  rows: number
  /** Runs of each figure; the median is reported. */
  runs: number
  /** Seconds of each concurrency load. */
  loadSeconds: number
  /** Rows the naive build reads (it holds them all in memory). */
  naiveRows: number
  /** Uploads of the history figure's tenant (with a fifth as many jobs and ten times as many queries); by default 10,000, fewer for small runs. */
  historyUploads?: number
  /** Whether to build the images and measure them and their cold starts (needs Docker; minutes from cold). */
  containers?: boolean
  /** Where RESULTS.md goes. */
  out: string
  log: (line: string) => void
}

/** Runs every figure side by side with its reference, on this machine, and writes the table. */
export async function runBench(opts: BenchOptions): Promise<{ rows: Row[]; markdown: string }> {
  const started = new Date()
  build()
  const scratch = await mkdtemp(join(tmpdir(), 'csvlake-bench-'))
  const dataDir = join(scratch, 'data')
  const rows: Row[] = []
  const add = (more: Row[]) => {
    rows.push(...more)
    for (const r of more) opts.log(`${r.figure}: ${r.csvlake} vs ${r.reference} (${r.ratio}, target ${r.target})`)
  }
  try {
    opts.log(`generating ${opts.rows.toLocaleString('en')} rows...`)
    const big = join(scratch, 'big.csv')
    const { bytes: bigBytes } = await writeDataset(big, opts.rows)
    const small = join(scratch, 'small.csv')
    await writeDataset(small, Math.max(10, Math.round((1024 * 1024 * opts.rows) / bigBytes)))
    const huge = join(scratch, 'huge.csv')
    for (let i = 0; i < 4; i++) await pipeline(createReadStream(big), createWriteStream(huge, { flags: 'a' }))

    // The concurrency figure loads one tenant with 32 clients: lift the per-tenant fair-share limit.
    const app = await startGateway(dataDir, { CSVLAKE_TENANT_MAX_QUERIES: '64' })
    try {
      opts.log('upload...')
      const upload = await uploadFigures({ app, big, bigBytes, huge, hugeBytes: bigBytes * 4, scratch, runs: opts.runs })
      add(upload.rows)
      await rm(huge)
      opts.log('aws-mode upload...')
      add(await s3UploadFigures({ big, bigBytes, runs: opts.runs }))
      const smallUpload = await curlUpload(app.url, small)
      opts.log('preview...')
      add(await previewFigures(app, upload.bigFileId, String(smallUpload.body.fileId), Math.max(20, opts.runs * 20)))
      opts.log('ingest...')
      add(await ingestFigures(app, upload.bigFileId, big, opts.rows, opts.runs, scratch, dataDir))
      opts.log('queries...')
      const queries = await queryFigures(app, dataDir, big, opts.rows, opts.runs)
      add(queries.rows)
      add(await concurrencyFigures(app, opts.rows, opts.loadSeconds))
      opts.log('export...')
      add(await exportFigures(app, dataDir, opts.rows, opts.runs, scratch))
      opts.log('cold starts...')
      add(await coldStartFigures(join(scratch, 'cold'), opts.runs))
      if (opts.containers !== false && dockerRunning()) {
        opts.log('container images...')
        for (const step of [['base'], ['build']]) {
          const built = spawnSync(process.execPath, [join(REPO, 'scripts', 'images.mjs'), ...step], { cwd: REPO, stdio: 'inherit' })
          if (built.status !== 0) throw new Error(`images.mjs ${step.join(' ')} failed`)
        }
        add(await containerFigures(opts.runs))
      } else if (opts.containers !== false) opts.log('containers: skipped, no Docker daemon answers (node scripts/ensure-docker.mjs starts one)')
      opts.log('history...')
      const uploads = opts.historyUploads ?? Math.min(10_000, Math.max(100, Math.round(opts.rows / 1000)))
      add(await historyFigures(join(scratch, 'history'), { uploads, jobs: Math.round(uploads / 5), queries: uploads * 10 }, opts.runs))
      opts.log('naive build...')
      add(await naiveFigures(queries.groupByMs, opts.rows, Math.min(opts.rows, opts.naiveRows), scratch))
    } finally {
      await app.stop()
    }
    const duckdb = JSON.parse(await readFile(join(REPO, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string }
    const markdown = renderResults({
      rows,
      machine: machine(scratch, duckdb.version),
      date: started.toISOString().slice(0, 10),
      settings: `${opts.rows.toLocaleString('en')} rows (${(bigBytes / 1024 ** 3).toFixed(2)} GiB), ${opts.runs} runs, ${opts.loadSeconds} s loads`,
      notes: [
        'References run in their own processes with the same thread count as csvlake (2); uploads are sent by curl, which streams from disk, to both servers.',
        'Memory growth is the peak resident memory of the app process and its children during the call, minus what it was before.',
        'All clients of the concurrency figure are one tenant, so its per-tenant limit of running queries is raised to 64 for the run (CSVLAKE_TENANT_MAX_QUERIES).',
      ],
    })
    await writeFile(opts.out, markdown)
    return { rows, markdown }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
