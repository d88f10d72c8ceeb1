import type { Running } from '../lib/app.ts'
import { json, postJson, waitForJob } from '../lib/app.ts'
import { duckdbDirect, sqlString } from '../lib/duckdb.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { median } from '../lib/stats.ts'
import { flushDisk } from './upload.ts'

/**
 * Submit to SUCCEEDED, whole-file type checks included, against DuckDB's own CSV -> Parquet copy
 * of the same file. Leaves the table `events` for the query figures.
 */
export async function ingestFigures(app: Running, fileId: string, csvPath: string, rows: number, runs: number, scratch: string): Promise<Row[]> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const table = i === runs - 1 ? 'events' : `events_${i}`
    flushDisk()
    const start = performance.now()
    const submitted = await json(await postJson(`${app.url}/api/submit`, { fileId, table }))
    const job = await waitForJob(app.url, String(submitted.jobId))
    times.push(performance.now() - start)
    const loaded = (job.rows as { loaded: number } | undefined)?.loaded
    if (job.status !== 'SUCCEEDED' || loaded !== rows) {
      throw new Error(`ingest ${job.status}, ${loaded} of ${rows} rows: ${JSON.stringify(job.error)}`)
    }
    if (table !== 'events') await fetch(`${app.url}/api/tables/${table}`, { method: 'DELETE' })
  }
  const ours = median(times)
  flushDisk()
  const [duck] = duckdbDirect(
    [`COPY (FROM read_csv(${sqlString(csvPath)})) TO ${sqlString(`${scratch}/reference.parquet`)} (FORMAT parquet)`],
    runs,
  )
  return [
    {
      figure: `ingest, submit to SUCCEEDED (${rows.toLocaleString('en')} rows, none lost, whole-file type checks)`,
      csvlake: fmtMs(ours),
      reference: `DuckDB COPY (FROM read_csv(...)) TO parquet ${fmtMs(duck!)}`,
      ratio: fmtRatio(ours / duck!),
      target: 'within 1.3x',
      met: ours / duck! <= 1.3,
    },
  ]
}
