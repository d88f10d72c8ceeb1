import type { TableEntry } from '../../ports/catalog.ts'
import { schemaKey } from '../../ingest/execution-input.ts'
import type { TenantId } from '../../tenant.ts'
import type { GlueTable, GlueTableInput } from './glue-api.ts'

/*
 * The table format `statemachines/ingest.asl.json` registers, so a table written by either reads
 * the same: each job's Parquet part is the partition `ingest_job={jobId}/` under the table's
 * location, and Athena's partition projection reads only the job ids listed in the parameters -
 * a part not (yet) listed is invisible. Names without dots, as the state machine's JSONPath reads them.
 */
const PARTITION = 'ingest_job'
const P = {
  /** The listed parts' job ids, comma-separated (the state machine appends to it). */
  parts: 'csvlake_parts',
  rows: 'csvlake_rows',
  /** The columns the parts were converted with, which the state machine compares before it appends. */
  schema: 'csvlake_schema',
  /** What Glue has no field for: each part's rows and file, the loads, when made (JSON). */
  detail: 'csvlake_detail',
}
type Detail = { parts: Record<string, { rows: number; fileId: string }>; sources: TableEntry['sources']; createdAt: string; updatedAt: string }

/** Hive's Parquet classes: what Athena needs in the StorageDescriptor to read the parts. */
const PARQUET = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
} as const

/** The entry as a Glue table: columns and location in the StorageDescriptor, the rest as parameters. */
export function toTableInput(entry: TableEntry, bucket: string): GlueTableInput {
  const jobs = entry.parts.map((p) => p.jobId).join(',')
  const detail: Detail = {
    parts: Object.fromEntries(entry.parts.map((p) => [p.jobId, { rows: p.rows, fileId: p.fileId }])),
    sources: entry.sources,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  }
  return {
    Name: entry.name,
    TableType: 'EXTERNAL_TABLE',
    PartitionKeys: [{ Name: PARTITION, Type: 'string' }],
    Parameters: {
      classification: 'parquet',
      'projection.enabled': 'true',
      [`projection.${PARTITION}.type`]: 'enum',
      [`projection.${PARTITION}.values`]: jobs,
      [P.parts]: jobs,
      [P.rows]: String(entry.rowCount),
      [P.schema]: schemaKey(entry.columns),
      [P.detail]: JSON.stringify(detail),
    },
    StorageDescriptor: {
      Columns: entry.columns.map((c) => ({ Name: c.name, Type: c.type })),
      Location: `s3://${bucket}/${entry.location}`,
      InputFormat: PARQUET.InputFormat,
      OutputFormat: PARQUET.OutputFormat,
      SerdeInfo: { SerializationLibrary: PARQUET.SerializationLibrary, Parameters: { 'serialization.format': '1' } },
    },
  }
}

/**
 * The Glue table as an entry, whether csvlake or the state machine wrote it last. `name` is the
 * one asked for, in case Glue's answer leaves the table's out (the SDK types every field optional).
 */
export function toEntry(tenant: TenantId, name: string, table: GlueTable): TableEntry {
  const p = table.Parameters ?? {}
  const location = (table.StorageDescriptor?.Location ?? '').replace(/^s3:\/\/[^/]+\//, '')
  const stored = p[P.detail]
  const detail = parseDetail(stored)
  const jobs = (p[P.parts] ?? '').split(',').filter(Boolean)
  const at = (date: Date | undefined) => (date ?? new Date(0)).toISOString()
  return {
    tenant,
    name: table.Name ?? name,
    columns: (table.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? '' })),
    location,
    format: 'parquet',
    // A part the state machine listed after the detail was written has its rows unknown here (0).
    parts: jobs.map((jobId) => ({ key: `${location}${PARTITION}=${jobId}/data.parquet`, jobId, rows: detail.parts?.[jobId]?.rows ?? 0, fileId: detail.parts?.[jobId]?.fileId ?? '' })),
    rowCount: Number(p[P.rows] ?? 0),
    sources: detail.sources ?? [],
    createdAt: detail.createdAt ?? at(table.CreateTime),
    updatedAt: detail.updatedAt ?? at(table.UpdateTime ?? table.CreateTime),
  }
}

/** csvlake's bookkeeping of a table; a parameter someone edited by hand into bad JSON counts as absent. */
function parseDetail(stored: string | undefined): Partial<Detail> {
  if (!stored) return {}
  try {
    const parsed: unknown = JSON.parse(stored)
    return parsed !== null && typeof parsed === 'object' ? (parsed as Partial<Detail>) : {}
  } catch {
    return {}
  }
}
