import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Running } from '../lib/app.ts'
import { json, postJson, waitForJob } from '../lib/app.ts'
import { duckdbDirect, sqlString } from '../lib/duckdb.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { median } from '../lib/stats.ts'
import { flushDisk } from './upload.ts'

/**
 * Submit to SUCCEEDED, whole-file type checks included, against DuckDB's own CSV -> Parquet copy
 * of the same file; and the column profile's share of each ingest (the time the conversion spent
 * profiling its part, as the part's `_profile.json` records it, over the submit-to-SUCCEEDED time).
 * Leaves the table `events` for the query figures.
 */
export async function ingestFigures(app: Running, fileId: string, csvPath: string, rows: number, runs: number, scratch: string, dataDir: string): Promise<Row[]> {
  const times: number[] = []
  const profileMs: number[] = []
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
    profileMs.push(await profileTime(dataDir, table, String(submitted.jobId)))
    if (table !== 'events') await fetch(`${app.url}/api/tables/${table}`, { method: 'DELETE' })
  }
  const ours = median(times)
  const share = median(profileMs.map((ms, i) => ms / times[i]!))
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
    {
      figure: `column profile during ingest, share of submit to SUCCEEDED (${rows.toLocaleString('en')} rows)`,
      csvlake: `${fmtMs(median(profileMs))} (${(share * 100).toFixed(1)}%)`,
      reference: `ingest ${fmtMs(ours)}`,
      ratio: `${(share * 100).toFixed(1)}%`,
      target: '<= 10% of ingest',
      met: share <= 0.1,
    },
  ]
}

/** What profiling the job's part took, as its `_profile.json` says (lake/{tenant}/{table}/ingest_job={jobId}/). */
export async function profileTime(dataDir: string, table: string, jobId: string): Promise<number> {
  for (const tenant of await readdir(join(dataDir, 'lake'))) {
    const file = join(dataDir, 'lake', tenant, table, `ingest_job=${jobId}`, '_profile.json')
    const text = await readFile(file, 'utf8').catch(() => undefined)
    if (text !== undefined) return (JSON.parse(text) as { ms: number }).ms
  }
  throw new Error(`no _profile.json for job ${jobId} of ${table}`)
}
