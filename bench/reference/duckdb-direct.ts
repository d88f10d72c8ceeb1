// DuckDB on its own, in a process of its own, with csvlake's thread count: the reference for
// ingest (CSV -> Parquet), for queries on the stored Parquet and on the raw CSV, and for export.
// Usage: node duckdb-direct.ts <threads> <runs> <sql...>; prints the median ms of each statement as JSON.
import { DuckDBInstance } from '@duckdb/node-api'

const [threads, runs, ...statements] = process.argv.slice(2)
const db = await DuckDBInstance.create(':memory:', { threads: threads ?? '2' })
const conn = await db.connect()
const medians: number[] = []
for (const sql of statements) {
  const times: number[] = []
  for (let i = 0; i < Number(runs ?? 1); i++) {
    const start = performance.now()
    await conn.runAndReadAll(sql)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  medians.push(times[Math.floor((times.length - 1) / 2)] ?? Number.NaN)
}
process.stdout.write(JSON.stringify(medians))
