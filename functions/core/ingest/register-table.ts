import { AppError } from '../errors.ts'
import { keys } from '../keys.ts'
import type { Column, TableEntry, TablePart } from '../ports/catalog.ts'
import type { IngestInput } from '../ports/workflow.ts'
import { schemaDifferences } from '@csvlake/shared/schema-diff'

export type Registration = { entry: TableEntry; dropParts: TablePart[] }

/**
 * The table entry after a job's part is registered, as its mode says: create refuses an existing
 * table, append refuses schema drift, replace swaps every part. Pure: the caller writes the entry
 * (atomically) and only then deletes `dropParts`.
 */
export function registerTable(
  existing: TableEntry | undefined,
  input: IngestInput,
  columns: Column[],
  part: TablePart,
  now: Date,
): Registration {
  const at = now.toISOString()
  const source = { fileId: input.fileId, fileName: input.fileName, jobId: input.jobId, mode: input.mode, rows: part.rows, at }
  if (input.mode === 'create' && existing) {
    throw new AppError('TABLE_EXISTS', `Table ${input.table} already exists; submit with mode "append" or "replace", or choose another name.`)
  }
  if (input.mode === 'append') {
    if (!existing) throw new AppError('NOT_FOUND', `There is no table ${input.table} to append to; submit with mode "create".`)
    const problems = schemaDifferences(existing.columns, columns)
    if (problems.length) {
      throw new AppError('SCHEMA_MISMATCH', `Cannot append to ${input.table}: ${problems.join('; ')}.`)
    }
    const parts = [...existing.parts, part]
    return {
      entry: { ...existing, parts, rowCount: sum(parts), sources: [...existing.sources, source], updatedAt: at },
      dropParts: [],
    }
  }
  const entry: TableEntry = {
    tenant: input.tenant,
    name: input.table,
    columns,
    location: keys.lakeTable(input.tenant, input.table),
    format: 'parquet',
    parts: [part],
    rowCount: part.rows,
    sources: [source],
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  }
  return { entry, dropParts: existing?.parts ?? [] }
}

function sum(parts: TablePart[]): number {
  return parts.reduce((n, p) => n + p.rows, 0)
}
