import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Running } from '../lib/app.ts'
import { runQuery } from '../lib/app.ts'
import { duckdbDirect, sqlString } from '../lib/duckdb.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { medianOf } from '../lib/stats.ts'

async function viaApi(app: Running, sql: string, runs: number): Promise<number> {
  return medianOf(runs, async () => {
    const start = performance.now()
    // Each run executes: an identical query's result would otherwise be reused.
    await runQuery(app.url, sql, { reuse: false })
    return performance.now() - start
  })
}

/** The table's Parquet files, as the catalog lists them. */
export async function tableFiles(dataDir: string, table: string): Promise<string[]> {
  const entry = JSON.parse(await readFile(join(dataDir, 'catalog', 'local', `${table}.json`), 'utf8')) as { parts: { key: string }[] }
  return entry.parts.map((p) => join(dataDir, p.key))
}

/** A GROUP BY over every row and a point lookup, through the API and in DuckDB directly. */
export async function queryFigures(app: Running, dataDir: string, csvPath: string, rows: number, runs: number): Promise<{ rows: Row[]; groupByMs: number }> {
  const parquet = `read_parquet([${(await tableFiles(dataDir, 'events')).map(sqlString).join(', ')}])`
  const csv = `read_csv(${sqlString(csvPath)})`
  const id = Math.max(1, Math.floor(rows * 0.77))
  const groupBy = (from: string) => `SELECT region, count(*) AS n, sum(amount) AS total, avg(amount) AS mean FROM ${from} GROUP BY region ORDER BY region`
  const lookup = (from: string) => `SELECT * FROM ${from} WHERE id = ${id}`
  const out: Row[] = []
  let groupByMs = 0
  for (const [name, sql] of [
    [`GROUP BY over ${rows.toLocaleString('en')} rows`, groupBy],
    ['point lookup by id', lookup],
  ] as const) {
    const ours = await viaApi(app, sql('events'), runs)
    if (sql === groupBy) groupByMs = ours
    const [onParquet, onCsv] = duckdbDirect([sql(parquet), sql(csv)], runs)
    out.push({
      figure: `${name} through POST /api/query`,
      csvlake: fmtMs(ours),
      reference: `DuckDB on the Parquet ${fmtMs(onParquet!)}; on the raw CSV ${fmtMs(onCsv!)}`,
      ratio: fmtRatio(ours / onParquet!),
      target: 'within 1.2x + 20 ms of Parquet',
      met: ours <= onParquet! * 1.2 + 20,
    })
  }
  return { rows: out, groupByMs }
}
