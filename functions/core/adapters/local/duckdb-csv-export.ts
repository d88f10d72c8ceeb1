import { DuckDBInstance } from '@duckdb/node-api'
import { sqlString } from './duckdb-sql-text.ts'

/**
 * Writes a stored query result (Parquet) out as CSV, rows in their stored order. It runs on an
 * instance of its own with one thread: with two, DuckDB buffers whole batches to keep the rows
 * in order, and a 1M-row export grew the process by ~70 MiB; with one it grows ~11 MiB (measured
 * on the bench's data). Only this fixed statement runs here, over paths csvlake chose - never a
 * user's SQL, which stays in the tenant's sandbox.
 */
export class CsvExporter {
  private instance: Promise<DuckDBInstance> | undefined

  async write(parquetPath: string, csvPath: string): Promise<void> {
    this.instance ??= DuckDBInstance.create(':memory:', {
      threads: '1',
      memory_limit: '256MB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    })
    const conn = await (await this.instance).connect()
    try {
      await conn.run(`COPY (FROM read_parquet(${sqlString(parquetPath)})) TO ${sqlString(csvPath)} (FORMAT csv, HEADER, DELIMITER ',')`)
    } finally {
      conn.closeSync()
    }
  }

  async close(): Promise<void> {
    const instance = this.instance
    this.instance = undefined
    if (instance) (await instance).closeSync()
  }
}
