import { AppError } from '../errors.ts'
import { keys } from '../keys.ts'
import type { Column, TableEntry, TablePart } from '../ports/catalog.ts'
import type { IngestInput } from '../ports/workflow.ts'
import { schemaDifferences } from '@csvlake/shared/schema-diff'
import { applyChange, DEFAULT_RETENTION, type VersionedChange, type VersionRetention } from './table-versions.ts'

export type Registration = VersionedChange

/**
 * The table entry after a job's part is registered, as its mode says: create refuses an existing
 * table, append refuses schema drift, replace swaps every part. Each makes a new version; the
 * replaced parts stay while a kept version reads them (`retention`). Pure: the caller writes the
 * entry (atomically) and only then deletes `dropParts`.
 */
export function registerTable(
  existing: TableEntry | undefined,
  input: IngestInput,
  columns: Column[],
  part: TablePart,
  now: Date,
  retention: VersionRetention = DEFAULT_RETENTION,
): Registration {
  const at = now.toISOString()
  const source = { fileId: input.fileId, fileName: input.fileName, jobId: input.jobId, mode: input.mode, rows: part.rows, at }
  const change = { operation: input.mode, source: { fileId: input.fileId, fileName: input.fileName, jobId: input.jobId } }
  if (input.mode === 'create' && existing) {
    throw new AppError('TABLE_EXISTS', `Table ${input.table} already exists; submit with mode "append" or "replace", or choose another name.`)
  }
  if (input.mode === 'append') {
    if (!existing) throw new AppError('NOT_FOUND', `There is no table ${input.table} to append to; submit with mode "create".`)
    const problems = schemaDifferences(existing.columns, columns)
    if (problems.length) {
      throw new AppError('SCHEMA_MISMATCH', `Cannot append to ${input.table}: ${problems.join('; ')}.`)
    }
    const { parts: _p, columns: _c, rowCount: _r, updatedAt: _u, versions: _v, keptParts: _k, ...base } = existing
    return applyChange(existing, { ...base, sources: [...existing.sources, source] }, { ...change, parts: [...existing.parts, part], columns: existing.columns }, now, retention)
  }
  const base = {
    tenant: input.tenant,
    name: input.table,
    location: keys.lakeTable(input.tenant, input.table),
    format: 'parquet' as const,
    sources: [source],
    createdAt: existing?.createdAt ?? at,
  }
  return applyChange(existing, base, { ...change, parts: [part], columns }, now, retention)
}
