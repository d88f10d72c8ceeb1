import { createHash } from 'node:crypto'
import type { TableEntry, TablePart, TableVersion } from '../../ports/catalog.ts'
import { historyOf } from '../../ingest/table-versions.ts'
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
  /** Each listed part's rows, `jobId:rows` comma-separated (the state machine appends to it too). */
  partRows: 'csvlake_part_rows',
  /**
   * Which version of the table this is, and what made it (JSON: version, at, operation, file,
   * job, rolledBackTo). Glue archives the table as it was at each UpdateTable, so each archived
   * table version carries its own: GetTableVersions is the history.
   */
  version: 'csvlake_version',
}

/**
 * What a version's `csvlake_version` parameter holds. The state machine cannot read a clock, so
 * the versions it writes have no `at`: when they became current is the Glue version's UpdateTime.
 */
export type VersionRecord = Pick<TableVersion, 'version' | 'operation' | 'fileId' | 'fileName' | 'jobId' | 'rolledBackTo'> & { at?: string }
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
      [P.partRows]: entry.parts.map((p) => `${p.jobId}:${p.rows}`).join(','),
      [P.version]: JSON.stringify(versionRecord(historyOf(entry).at(-1)!)),
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
    parts: partsOf(location, jobs, partRows(p[P.partRows]), detail),
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

/** The record a version's table carries of itself. */
function versionRecord(v: TableVersion): VersionRecord {
  const { version, at, operation, fileId, fileName, jobId, rolledBackTo } = v
  return { version, at, operation, ...(fileId ? { fileId } : {}), ...(fileName ? { fileName } : {}), ...(jobId ? { jobId } : {}), ...(rolledBackTo !== undefined ? { rolledBackTo } : {}) }
}

/** The parts a table version lists, with their rows (from csvlake_part_rows, else the detail, else unknown: 0). */
function partsOf(location: string, jobs: string[], rows: Map<string, number>, detail: Partial<Detail>): TablePart[] {
  return jobs.map((jobId) => ({
    key: `${location}${PARTITION}=${jobId}/data.parquet`,
    jobId,
    rows: rows.get(jobId) ?? detail.parts?.[jobId]?.rows ?? 0,
    fileId: detail.parts?.[jobId]?.fileId ?? '',
  }))
}

function partRows(stored: string | undefined): Map<string, number> {
  const rows = new Map<string, number>()
  for (const item of (stored ?? '').split(',')) {
    const [jobId, n] = item.split(':')
    if (jobId && n !== undefined && /^\d+$/.test(n)) rows.set(jobId, Number(n))
  }
  return rows
}

/**
 * One Glue table version as what it says of itself: its record (absent in a table written before
 * versions were recorded), its parts and its columns. `gluedVersionId` is Glue's id for it, which
 * BatchDeleteTableVersion needs.
 */
export type GlueVersion = { glueVersionId: string; record: VersionRecord | undefined; parts: TablePart[]; columns: TableEntry['columns']; rowCount: number; updatedAt: string }

export function toGlueVersion(tenant: TenantId, name: string, glueVersionId: string, table: GlueTable): GlueVersion {
  const entry = toEntry(tenant, name, table)
  return { glueVersionId, record: parseRecord(table.Parameters?.[P.version]), parts: entry.parts, columns: entry.columns, rowCount: entry.rowCount, updatedAt: entry.updatedAt }
}

/**
 * The history as csvlake keeps it, from the table's Glue versions (any order): one version per
 * csvlake version number (Glue's newest copy of it), oldest first; the rows added and removed
 * worked out from the parts each lists. Glue versions without a record (written before versions
 * were recorded, or by hand) are left out, except that a current table without one is version 1.
 */
export function historyFromGlue(current: GlueVersion, versions: GlueVersion[]): { versions: TableVersion[]; keptParts: TablePart[] } {
  const byNumber = new Map<number, GlueVersion>()
  for (const v of versions) {
    if (!v.record) continue
    const known = byNumber.get(v.record.version)
    if (!known || Number(v.glueVersionId) > Number(known.glueVersionId)) byNumber.set(v.record.version, v)
  }
  const record = current.record ?? { version: 1, at: current.updatedAt, operation: 'create' as const }
  byNumber.set(record.version, { ...current, record })
  const ordered = [...byNumber.values()].filter((v) => v.record!.version <= record.version).sort((a, b) => a.record!.version - b.record!.version)
  const rows = new Map<string, TablePart>()
  for (const v of ordered) for (const p of v.parts) if (!rows.has(p.jobId) || p.rows > 0) rows.set(p.jobId, p)
  const rowsOf = (ids: string[]) => ids.reduce((n, id) => n + (rows.get(id)?.rows ?? 0), 0)
  const history: TableVersion[] = ordered.map((v, i) => {
    const ids = v.parts.map((p) => p.jobId)
    const before = new Set(ordered[i - 1]?.parts.map((p) => p.jobId) ?? [])
    const now = new Set(ids)
    return {
      ...v.record!,
      at: v.record!.at ?? v.updatedAt,
      rowsAdded: rowsOf(ids.filter((id) => !before.has(id))),
      rowsRemoved: rowsOf([...before].filter((id) => !now.has(id))),
      rowCount: v.rowCount,
      columns: v.columns,
      parts: ids,
    }
  })
  const currentIds = new Set(current.parts.map((p) => p.jobId))
  const keptParts = [...rows.values()].filter((p) => !currentIds.has(p.jobId) && history.some((h) => h.parts.includes(p.jobId)))
  return { versions: history, keptParts }
}

function parseRecord(stored: string | undefined): VersionRecord | undefined {
  if (!stored) return undefined
  try {
    const parsed = JSON.parse(stored) as Partial<VersionRecord>
    return typeof parsed?.version === 'number' && typeof parsed.operation === 'string' ? (parsed as VersionRecord) : undefined
  } catch {
    return undefined
  }
}

/**
 * A version's hidden table, in the tenant's own database: the table's name, the version, and a
 * digest of when the table was made (a table dropped and made again starts its versions at 1
 * again, and must not read the old one's). Longer than any table name may be (64), so no table
 * of the tenant's can have it; the catalog leaves such names out of the tenant's tables.
 */
export function versionTableName(entry: Pick<TableEntry, 'name' | 'createdAt'>, version: number): string {
  return `${entry.name}__v${version}__${createHash('sha256').update(entry.createdAt).digest('hex')}`
}

/** Whether a Glue table is a version's hidden table (versionTableName), not one of the tenant's. */
export function isVersionTable(name: string): boolean {
  return /__v\d+__[0-9a-f]{64}$/.test(name)
}
