import { schemaDifferences } from '@csvlake/shared/schema-diff'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { conversionOutcome, taskError } from '../../ingest/execution-input.ts'
import { refusalMessage, type ParquetColumn } from '../../ingest/parquet-columns.ts'
import { withoutPaths } from '../../ingest/path-free-message.ts'
import type { Catalog, Column } from '../../ports/catalog.ts'
import type { IngestInput } from '../../ports/workflow.ts'
import type { Converted } from './duckdb-convert-staged.ts'
import { duckdbTypeOf } from './duckdb-glue-types.ts'
import type { DuckDbIngest } from './duckdb-ingest.ts'
import { writePartProfile } from './duckdb-profile.ts'
import { sqlIdentifier, sqlString } from './duckdb-sql-text.ts'

export type ConvertColumnarDeps = { catalog: Catalog; ingest: DuckDbIngest }

/** The uploaded Parquet file on disk, where the table's part goes, and the file's columns (from its footer, parquet-columns.ts). */
export type ColumnarFile = { source: string; target: string; columns: ParquetColumn[] }

/**
 * The ConvertColumnar step, the same locally and in the prepare image on AWS: the columnar branch
 * of the state machine. A Parquet upload already has its types: DuckDB reads it (read_parquet) and
 * writes the table's part with the types the preview showed (unsigned integers widened, every
 * timestamp as timestamp in UTC, UUIDs and enums as text), under the normalised column names. A
 * column Athena could not read fails the job before anything is written, naming the column and
 * its type. An append keeps the table's types when the file's fit them, and fails naming the
 * columns when they do not. The part's column profile is written beside it.
 */
export async function convertColumnar(deps: ConvertColumnarDeps, input: IngestInput, file: ColumnarFile): Promise<Converted> {
  const refusal = refusalMessage(file.columns)
  if (refusal) throw taskError('Csvlake.UnsupportedType', { code: 'UNSUPPORTED_TYPE', message: refusal })
  const columns = await appendTypes(deps.catalog, input, file.columns.map((c) => ({ name: c.name, type: c.type! })))
  const select = file.columns.map((c, i) => `CAST(${sqlIdentifier(c.source)} AS ${duckdbTypeOf(columns[i]!.type)}) AS ${sqlIdentifier(c.name)}`)
  const temp = `${file.target}.tmp`
  await mkdir(dirname(file.target), { recursive: true })
  let rows: number
  try {
    rows = await deps.ingest.withConnection(async (conn) => {
      // Timestamps with a time zone are kept as the UTC instant, whatever the machine's zone.
      await conn.run("SET TimeZone = 'UTC'").catch(() => undefined)
      const copied = await conn.runAndReadAll(
        `COPY (SELECT ${select.join(', ')} FROM read_parquet(${sqlString(file.source)})) TO ${sqlString(temp)} (FORMAT parquet, PARQUET_VERSION v2)`,
      )
      return Number(copied.getRowsJS()[0]?.[0] ?? 0)
    })
    await rename(temp, file.target)
  } catch (err) {
    const message = withoutPaths(err instanceof Error ? err.message : String(err), { [file.source]: 'the uploaded file', [temp]: "the table's Parquet file" })
    throw taskError('Csvlake.ConversionFailed', { code: 'INGEST_FAILED', message: `The Parquet file could not be converted: ${message}` })
  } finally {
    await rm(temp, { force: true })
  }
  // As the CSV conversion: a profile is not worth a load; without one the table's profile says it is partial.
  await writePartProfile(deps.ingest, file.target, columns).catch(() => undefined)
  return { columns, rows, outcome: conversionOutcome(columns, { rowsLoaded: rows, rowsRejected: 0, rejected: [] }) }
}

/** Appending keeps the table's types when the file's columns fit them; otherwise the job fails naming the differences. */
async function appendTypes(catalog: Catalog, input: IngestInput, columns: Column[]): Promise<Column[]> {
  if (input.mode !== 'append') return columns
  const existing = await catalog.get(input.tenant, input.table)
  if (!existing) return columns
  const problems = schemaDifferences(existing.columns, columns)
  if (problems.length) {
    throw taskError('Csvlake.SCHEMA_MISMATCH', { code: 'SCHEMA_MISMATCH', message: `Cannot append to ${input.table}: ${problems.join('; ')}.` })
  }
  return existing.columns
}
