import { AppError } from '../errors.ts'
import { getFile } from '../files/file-registry.ts'
import { readDecodedHead } from '../files/decoded-head.ts'
import { newId } from '../ids.ts'
import { keys } from '../keys.ts'
import type { Catalog } from '../ports/catalog.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { JobRecord, OnError, Workflow, WriteMode } from '../ports/workflow.ts'
import type { TenantId } from '../tenant.ts'
import type { DialectOverride } from './dialect.ts'
import { withOverride } from './sniff.ts'
import { tableNameFromFile, TableName } from './table-name.ts'

export type SubmitRequest = {
  fileId: string
  table?: string
  mode: WriteMode
  onError: OnError
  dialect?: DialectOverride
}

export type IngestDeps = { store: ObjectStore; catalog: Catalog; workflow: Workflow; headBytes: number }

/**
 * Checks what can be checked before any work starts (the file, the table name, the mode against
 * the catalog, the column names on append), then starts one execution of the ingest workflow.
 */
export async function startIngest(deps: IngestDeps, tenant: TenantId, req: SubmitRequest): Promise<JobRecord> {
  const meta = await getFile(deps.store, tenant, req.fileId)
  const table = req.table ?? tableNameFromFile(meta.name)
  const named = TableName.safeParse(table)
  if (!named.success) {
    throw new AppError('BAD_REQUEST', `${named.error.issues[0]?.message ?? 'Invalid table name'} (got ${JSON.stringify(table)}).`, { field: 'table' })
  }
  let dialect = meta.dialect
  const overridden = req.dialect !== undefined && Object.keys(req.dialect).length > 0
  if (overridden && meta.format === 'parquet') {
    throw new AppError('BAD_REQUEST', 'This file is Parquet: it has no delimiter, quoting, header or encoding to override. Submit it without a dialect.', { field: 'dialect' })
  }
  if (req.dialect && overridden) {
    const head = await readDecodedHead(deps.store, keys.rawData(tenant, req.fileId), meta.compression, deps.headBytes)
    dialect = withOverride(head.bytes, meta.dialect, req.dialect, { truncated: head.truncated })
  }
  const existing = await deps.catalog.get(tenant, table)
  if (req.mode === 'create' && existing) {
    throw new AppError('TABLE_EXISTS', `Table ${table} already exists; submit with mode "append" or "replace", or choose another name.`, { table })
  }
  if (req.mode === 'append') {
    if (!existing) throw new AppError('NOT_FOUND', `There is no table ${table} to append to; submit with mode "create".`, { table })
    const have = existing.columns.map((c) => c.name.toLowerCase())
    const got = dialect.columnNames.map((c) => c.toLowerCase())
    if (have.join('\u0000') !== got.join('\u0000')) {
      throw new AppError(
        'SCHEMA_MISMATCH',
        `Cannot append to ${table}: the table has columns (${have.join(', ')}) but the file has (${got.join(', ')}).`,
        { table },
      )
    }
  }
  return deps.workflow.start({
    jobId: newId('j'),
    tenant,
    fileId: req.fileId,
    fileName: meta.name,
    table,
    mode: req.mode,
    onError: req.onError,
    dialect,
    format: meta.format,
  })
}
