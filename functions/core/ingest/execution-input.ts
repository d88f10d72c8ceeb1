import { keys } from '../keys.ts'
import { profileKeyOf } from './column-profile.ts'
import type { Column } from '../ports/catalog.ts'
import type { IngestInput, IngestResult, RejectedRow } from '../ports/workflow.ts'
import { tenantDatabase } from '../tenant.ts'

/** Where the AWS integrations of one deployment live: the bucket, roles, Athena workgroup and EKS cluster. */
export type ExecutionNames = {
  bucket: string
  crawlerRole: string
  workGroup: string
  /** The EKS cluster that runs csvlake's prepare image as Kubernetes Jobs (eks:runJob.sync). */
  eks?: { clusterName: string; endpoint: string; certificateAuthority: string; namespace: string; serviceAccount: string; image: string }
  /** What the prepare Jobs need to know of the deployment (they get CSVLAKE_NAMES, not its ConfigMap). */
  prepare?: PrepareSettings
}

/** The deployment's settings a prepare Job honours: the region its clients call, and the bounds a .csv.gz inflates within. */
export type PrepareSettings = { region: string; maxUploadBytes: number; quotaBytes?: number }

const LOCAL_EKS = { clusterName: 'local', endpoint: 'https://local', certificateAuthority: 'local', namespace: 'local', serviceAccount: 'local', image: 'local' }

/**
 * The input of one execution of `statemachines/ingest.asl.json`: the submit, and under `names`
 * every name its AWS integrations use, derived here once (the ASL only reads them). The layout is
 * the S3 one: parts of a table live under `ingest_job={jobId}/`, the Hive partition layout that
 * Athena partition projection reads.
 */
export function executionInput(input: IngestInput, names: ExecutionNames) {
  const t = input.tenant
  const database = tenantDatabase(t)
  const stagedKey = keys.staging(t, input.jobId)
  const outcomeKey = `staging/${t}/${input.jobId}/outcome.json`
  const tableKeyPrefix = `lake/${t}/${input.table}/`
  const partKey = keys.lakePart(t, input.table, input.jobId)
  return {
    ...input,
    // The first Choice of the state machine reads it: Parquet takes the columnar branch.
    format: input.format ?? 'csv',
    names: {
      bucket: names.bucket,
      crawlerRole: names.crawlerRole,
      workGroup: names.workGroup,
      eks: names.eks ?? LOCAL_EKS,
      ...(names.prepare ? { prepare: names.prepare } : {}),
      k8sJobName: `csvlake-${input.jobId.replaceAll('_', '-')}`,
      crawler: `csvlake-${input.jobId}`,
      classifier: `csvlake-${input.jobId}`,
      database,
      stagingDatabase: tenantDatabase(t, 'csvlake_staging_'),
      // Glue names a crawled table after its folder, with the crawler's TablePrefix.
      crawledTable: `${input.jobId}_${input.jobId}`,
      parquetTable: `${input.jobId}_parquet`,
      containsHeader: input.dialect.header ? 'PRESENT' : 'ABSENT',
      stagedFolder: `s3://${names.bucket}/staging/${t}/${input.jobId}/`,
      stagedKey,
      outcomeKey,
      stagedObjects: [{ Key: stagedKey }, { Key: outcomeKey }],
      tableKeyPrefix,
      tableLocation: `s3://${names.bucket}/${tableKeyPrefix}`,
      partKey,
      /** What a failed job removes of what it wrote to the lake: the part and its profile. */
      partObjects: [{ Key: partKey }, { Key: profileKeyOf(partKey) }],
      partLocation: `s3://${names.bucket}/${tableKeyPrefix}ingest_job=${input.jobId}/`,
    },
    // Counters the state machine keeps: crawler polls (capped) and registration conflicts (capped).
    polls: { n: 0 },
    conflicts: { n: 0 },
  }
}

/** What the conversion writes to `outcomeKey` (locally and from the prepare image): the ASL reads it with GetObject. */
export type ConversionOutcome = {
  /** Glue's column shape, as CreateTable takes it. */
  columns: { Name: string; Type: string }[]
  rowsRead: number
  rowsLoaded: number
  rowsRejected: number
  rejected: RejectedRow[]
  /** The columns as one string, kept in the table's parameters: an append checks it with StringEquals. */
  schemaKey: string
  /** A predicate that reads every column, for CheckParquet's Athena query. */
  checkPredicate: string
}

export function schemaKey(columns: Column[]): string {
  return JSON.stringify(columns.map((c) => [c.name, c.type]))
}

/** The most of a rejected row's value a job keeps (a CSV line may be megabytes). */
export const MAX_REJECTED_VALUE_CHARS = 200
/** The most the listed rejected rows may weigh as JSON: Step Functions' state is at most 256 KiB. */
export const MAX_REJECTED_JSON_BYTES = 64 * 1024

/** A rejected value as a job keeps it: its first characters, saying when there were more. */
export function shortValue(value: string | null): string | null {
  if (value === null || value.length <= MAX_REJECTED_VALUE_CHARS) return value
  return `${value.slice(0, MAX_REJECTED_VALUE_CHARS)}… (${value.length.toLocaleString('en-US')} characters in all)`
}

/**
 * The rejected rows a job lists, bounded by size and not only by count: each value cut short,
 * and no more rows than fit in MAX_REJECTED_JSON_BYTES (the count says how many there were).
 */
export function boundedRejects(rejected: RejectedRow[]): RejectedRow[] {
  const kept: RejectedRow[] = []
  let bytes = 2
  for (const row of rejected) {
    const short = { ...row, value: shortValue(row.value), message: row.message.length > 500 ? `${row.message.slice(0, 500)}…` : row.message }
    bytes += Buffer.byteLength(JSON.stringify(short)) + 1
    if (bytes > MAX_REJECTED_JSON_BYTES) break
    kept.push(short)
  }
  return kept
}

/** The conversion outcome of `columns` and counts, as the ASL expects it. */
export function conversionOutcome(columns: Column[], counts: { rowsLoaded: number; rowsRejected: number; rejected: RejectedRow[] }): ConversionOutcome {
  const quoted = columns.map((c) => `"${c.name.replaceAll('"', '""')}"`)
  return {
    columns: columns.map((c) => ({ Name: c.name, Type: c.type })),
    rowsRead: counts.rowsLoaded + counts.rowsRejected,
    rowsLoaded: counts.rowsLoaded,
    rowsRejected: counts.rowsRejected,
    rejected: boundedRejects(counts.rejected),
    schemaKey: schemaKey(columns),
    checkPredicate: `coalesce(${[...quoted.map((q) => `CAST(${q} AS varchar)`), "''"].join(', ')}) IS NOT NULL`,
  }
}

/**
 * The job's result from the execution's output (the ASL's IngestSucceeded state): the one place
 * a result comes from, on both backends. Undefined when the output is not one.
 */
export function resultFromOutput(output: unknown): IngestResult | undefined {
  const o = (typeof output === 'string' ? safeJson(output) : output) as Record<string, unknown> | undefined
  if (!o || typeof o !== 'object' || typeof o.table !== 'string' || !Array.isArray(o.columns)) return undefined
  const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0))
  return {
    table: o.table,
    columns: (o.columns as { Name?: string; Type?: string; name?: string; type?: string }[]).map((c) => ({ name: String(c.Name ?? c.name), type: String(c.Type ?? c.type) })),
    rowsRead: num(o.rowsRead),
    rowsLoaded: num(o.rowsLoaded),
    rowsRejected: num(o.rowsRejected),
    rejected: Array.isArray(o.rejected) ? (o.rejected as RejectedRow[]) : [],
    tableRowCount: num(o.tableRowCount),
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * A Task's error as the state machine carries it: `name` is what Retry/Catch match on, and the
 * message (the execution's Cause) is JSON with what the job record shows.
 */
export function taskError(name: string, cause: { code: string; message: string; [k: string]: unknown }): Error {
  const err = new Error(JSON.stringify(cause))
  err.name = name
  return err
}

/**
 * Reads a Cause back: csvlake's own causes are JSON with a code and a message; a failed Athena
 * .sync task's Cause is the query execution, whose StateChangeReason says why; other causes (AWS,
 * the runner itself) are plain text.
 */
export function parseCause(cause: unknown): { code: string; message: string; [k: string]: unknown } {
  if (typeof cause === 'string') {
    try {
      const parsed = JSON.parse(cause) as unknown
      if (parsed && typeof parsed === 'object' && 'message' in parsed) {
        return parsed as { code: string; message: string }
      }
      const reason = (parsed as { QueryExecution?: { Status?: { StateChangeReason?: unknown } } } | null)?.QueryExecution?.Status?.StateChangeReason
      if (typeof reason === 'string') return { code: 'PARQUET_CHECK_FAILED', message: reason }
    } catch {
      // plain text
    }
    return { code: 'INGEST_FAILED', message: cause }
  }
  return { code: 'INGEST_FAILED', message: 'The ingest workflow failed without saying why.' }
}
