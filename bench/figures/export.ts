import type { Running } from '../lib/app.ts'
import { runQuery } from '../lib/app.ts'
import { duckdbDirect, sqlString } from '../lib/duckdb.ts'
import { sampleRss } from '../lib/proc.ts'
import { fmtMiB, fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { medianOf } from '../lib/stats.ts'
import { tableFiles } from './queries.ts'

/** The whole of a 1M-row result as CSV through results.csv, against DuckDB's COPY TO csv. */
export async function exportFigures(app: Running, dataDir: string, rows: number, runs: number, scratch: string): Promise<Row[]> {
  const n = Math.min(rows, 1_000_000)
  const sql = (from: string) => `SELECT * FROM ${from} WHERE id <= ${n}`
  let growth = 0
  let bytes = 0
  const ours = await medianOf(runs, async () => {
    const body = await runQuery(app.url, sql('events'), { maxResults: 1 })
    if (body.rowCount !== n) throw new Error(`export query has ${String(body.rowCount)} rows, not ${n}`)
    const sampler = sampleRss(app.pid)
    const start = performance.now()
    const res = await fetch(`${app.url}/api/query/${String(body.queryId)}/results.csv`)
    bytes = 0
    // Node's web streams are async iterable (the DOM lib, which playwright-core's types pull in, says otherwise).
    for await (const chunk of res.body! as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength
    const ms = performance.now() - start
    growth = Math.max(growth, (await sampler.stop()).growth)
    return ms
  })
  const parquet = `read_parquet([${(await tableFiles(dataDir, 'events')).map(sqlString).join(', ')}])`
  const [duck] = duckdbDirect([`COPY (${sql(parquet)}) TO ${sqlString(`${scratch}/export.csv`)} (FORMAT csv, HEADER)`], runs)
  return [
    {
      figure: `full export of a ${n.toLocaleString('en')}-row result via results.csv (${fmtMiB(bytes)})`,
      csvlake: `${fmtMs(ours)}, server memory +${fmtMiB(growth)}`,
      reference: `DuckDB COPY ... TO csv ${fmtMs(duck!)}`,
      ratio: fmtRatio(ours / duck!),
      target: 'within 2x, memory flat (< 64 MiB)',
      met: ours <= 2 * duck! && growth < 64 * 1024 * 1024,
    },
  ]
}
