import { DuckDBInstance } from '@duckdb/node-api'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqlString } from './duckdb-sql-text.ts'

/** A typical Parquet upload's rows: ints, doubles, a date, a timestamp, text and nulls. */
export const SAMPLE_PARQUET_SQL = `
  SELECT * FROM (VALUES
    (1::INTEGER, 1.5::DOUBLE, DATE '2024-05-01', TIMESTAMP '2024-05-01 08:30:00', 'Ada', 10::BIGINT),
    (2::INTEGER, NULL::DOUBLE, DATE '2024-05-02', TIMESTAMP '2024-05-02 09:00:00', NULL, 20::BIGINT),
    (3::INTEGER, -2.25::DOUBLE, NULL::DATE, NULL::TIMESTAMP, 'Grace', NULL::BIGINT)
  ) AS t(id, score, day, seen_at, name, total)`

/**
 * The bytes of a Parquet file DuckDB writes from `sql` (for tests: uploads, previews, loads).
 * `rowGroupRows` sets how many rows each row group holds.
 */
export async function parquetBytes(sql: string, opts: { rowGroupRows?: number; compression?: 'snappy' | 'zstd' | 'gzip' | 'brotli' | 'lz4' | 'uncompressed' } = {}): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'csvlake-parquet-'))
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
  try {
    const conn = await instance.connect()
    const path = join(dir, 'data.parquet')
    const options = [`FORMAT parquet`, ...(opts.rowGroupRows ? [`ROW_GROUP_SIZE ${opts.rowGroupRows}`] : []), ...(opts.compression ? [`COMPRESSION ${opts.compression}`] : [])]
    await conn.run(`COPY (${sql}) TO ${sqlString(path)} (${options.join(', ')})`)
    conn.closeSync()
    return await readFile(path)
  } finally {
    instance.closeSync()
    await rm(dir, { recursive: true, force: true })
  }
}
