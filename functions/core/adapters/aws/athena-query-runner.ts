import type { Readable } from 'node:stream'
import { AppError } from '../../errors.ts'
import { formatBytes } from '../../files/format-bytes.ts'
import type { Column, TableEntry } from '../../ports/catalog.ts'
import type { QueryRunner, RunOptions, RunPage, RunStatus, VersionRelation } from '../../ports/query-runner.ts'
import { quotedIfNeeded } from '../../query/time-travel.ts'
import type { GlueApi } from './glue-api.ts'
import { toTableInput, versionTableName } from './glue-table-format.ts'
import type { TenantId } from '../../tenant.ts'
import { awsErrorName, type AthenaApi, type AthenaOutputs, type AthenaQueryExecution } from './athena-api.ts'
import { assertAthenaRead } from './athena-read-only.ts'
import { athenaCell, athenaColumns, athenaError } from './athena-results.ts'

/** GetQueryResults answers at most this many rows a call. */
const MAX_RESULTS = 1000

/** Hidden version tables remembered as made, at most this many (then forgotten, and made again when asked: AlreadyExists). */
const KNOWN_VERSION_TABLES = 10_000

/** Result columns remembered per execution (read once from the result's metadata), at most this many. */
const KNOWN_COLUMNS = 2000

export type AthenaQueryRunnerDeps = {
  /** The Athena client for a tenant: with that tenant's scoped credentials in aws mode. */
  athenaFor: (tenant: TenantId) => AthenaApi
  /** Where Athena wrote each result (S3 in aws mode). */
  outputs: AthenaOutputs
  workGroup: string
  /** The tenant's Glue database: the query's context, and the only one its credentials may read. */
  databaseOf: (tenant: TenantId) => string
  /** Where Athena writes the tenant's results (s3://bucket/prefix/); the workgroup's location when absent. */
  outputLocationOf?: (tenant: TenantId) => string
  /**
   * A query that has scanned more than this is stopped when next looked at, and fails TOO_LARGE.
   * The workgroup's BytesScannedCutoffPerQuery is the hard bound (Athena enforces it even when no
   * one is looking); this one names the limit in the error and may be lower.
   */
  maxScannedBytes?: number
  /** How often a status call asks Athena again while it waits. */
  pollMs?: number
  /**
   * Time travel: Athena reads an earlier version of a table through a hidden table made from that
   * version (its parts and columns) in the tenant's versions database (versionsDatabaseOf), by
   * this Glue client, on the first query that reads it. Without it, time travel is refused.
   */
  versions?: { glueFor: (tenant: TenantId) => GlueApi; bucket: string }
}

export class AthenaQueryRunner implements QueryRunner {
  private readonly columns = new Map<string, Column[]>()
  /** Hidden version tables this replica made or found (ensureVersionTable), at most KNOWN_VERSION_TABLES. */
  private readonly madeVersionTables = new Set<string>()

  /** `"orders__v3__…" AS orders`: the hidden table of that version (see start). */
  readonly timeTravel?: VersionRelation

  constructor(private readonly deps: AthenaQueryRunnerDeps) {
    if (deps.versions) {
      this.timeTravel = (entry, version, aliased) =>
        `"${versionTableName(entry, version)}"${aliased ? '' : ` AS ${quotedIfNeeded(entry.name)}`}`
    }
  }

  async start(tenant: TenantId, sql: string, options: RunOptions): Promise<string> {
    assertAthenaRead(sql)
    for (const entry of options.tables) if (entry.name.includes('.')) await this.ensureVersionTable(tenant, entry)
    const { QueryExecutionId } = await this.deps.athenaFor(tenant).startQueryExecution({
      QueryString: sql,
      ClientRequestToken: options.token,
      QueryExecutionContext: { Database: this.deps.databaseOf(tenant) },
      WorkGroup: this.deps.workGroup,
      ...(this.deps.outputLocationOf ? { ResultConfiguration: { OutputLocation: this.deps.outputLocationOf(tenant) } } : {}),
    })
    if (!QueryExecutionId) throw new AppError('UNAVAILABLE', 'Athena did not start the query; run it again.')
    return QueryExecutionId
  }

  async status(tenant: TenantId, executionId: string, waitMs = 0): Promise<RunStatus | undefined> {
    const until = Date.now() + waitMs
    for (;;) {
      const execution = await this.describe(tenant, executionId)
      if (!execution) return undefined
      const { State, StateChangeReason, AthenaError } = execution.Status ?? {}
      const stats = statsOf(execution)
      if (State === 'SUCCEEDED') {
        const rows = (await this.deps.athenaFor(tenant).getQueryRuntimeStatistics({ QueryExecutionId: executionId })).QueryRuntimeStatistics?.Rows
        const columns = await this.columnsOf(tenant, executionId)
        return { state: 'SUCCEEDED', ...(columns ? { columns } : {}), rowCount: rows?.OutputRows ?? 0, resultBytes: rows?.OutputBytes ?? 0, stats }
      }
      if (State === 'FAILED') return { state: 'FAILED', error: athenaError(StateChangeReason, AthenaError?.ErrorCategory), stats }
      if (State === 'CANCELLED') return { state: 'CANCELLED', stats }
      const scanned = execution.Statistics?.DataScannedInBytes ?? 0
      const max = this.deps.maxScannedBytes
      if (max !== undefined && scanned > max) {
        await this.deps.athenaFor(tenant).stopQueryExecution({ QueryExecutionId: executionId })
        return { state: 'FAILED', stats, error: { code: 'TOO_LARGE', message: `The query scanned more than ${formatBytes(max)} (the most one query may scan here) and was stopped. Select fewer columns or filter on fewer rows.` } }
      }
      if (Date.now() >= until) return { state: 'RUNNING' }
      await new Promise((done) => setTimeout(done, Math.min(this.deps.pollMs ?? 500, Math.max(1, until - Date.now()))))
    }
  }

  async stop(tenant: TenantId, executionId: string): Promise<void> {
    if (await this.describe(tenant, executionId)) await this.deps.athenaFor(tenant).stopQueryExecution({ QueryExecutionId: executionId })
  }

  async read(tenant: TenantId, executionId: string, page: { token?: string; maxRows: number }): Promise<RunPage> {
    if (!(await this.describe(tenant, executionId))) throw notStored()
    const first = page.token === undefined
    // The first page starts with the header row: one more is asked for, and skipped.
    const max = Math.min(MAX_RESULTS, Math.max(1, page.maxRows + (first ? 1 : 0)))
    let answer
    try {
      answer = await this.deps.athenaFor(tenant).getQueryResults({ QueryExecutionId: executionId, MaxResults: max, ...(first ? {} : { NextToken: page.token! }) })
    } catch (err) {
      if (awsErrorName(err) !== 'InvalidRequestException') throw err
      if (!first && /token/i.test(err instanceof Error ? err.message : '')) {
        throw new AppError('BAD_REQUEST', 'nextToken is not one this API gave out; pass it back exactly as received.')
      }
      throw notStored()
    }
    const columns = athenaColumns(answer.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [])
    const rows = (answer.ResultSet?.Rows ?? []).slice(first ? 1 : 0).map((row) => columns.map((c, i) => athenaCell(c.type, row.Data?.[i])))
    return { rows, ...(answer.NextToken ? { next: answer.NextToken } : {}) }
  }

  async exportCsv(tenant: TenantId, executionId: string): Promise<Readable> {
    const location = (await this.describe(tenant, executionId))?.ResultConfiguration?.OutputLocation
    const csv = location ? await this.deps.outputs.read(location) : undefined
    if (!csv) throw notStored()
    return csv
  }

  async remove(tenant: TenantId, executionId: string): Promise<number> {
    const location = (await this.describe(tenant, executionId))?.ResultConfiguration?.OutputLocation
    return location ? this.deps.outputs.remove(location) : 0
  }

  invalidate(): void {
    // Athena reads the Glue catalog on every query: nothing is kept to drop.
  }

  async close(): Promise<void> {}

  /**
   * The hidden table an entry named `v3.orders` (a version, RunOptions.tables) is read through:
   * made on first use in the tenant's database, from the version's parts and columns. A version
   * never changes, so one that exists is the one wanted.
   */
  private async ensureVersionTable(tenant: TenantId, entry: TableEntry): Promise<void> {
    const versions = this.deps.versions
    if (!versions) throw new AppError('SQL_ERROR', 'Reading an earlier version of a table is not available on this deployment.')
    const dot = entry.name.indexOf('.')
    const version = Number(entry.name.slice(1, dot))
    const name = versionTableName({ name: entry.name.slice(dot + 1), createdAt: entry.createdAt }, version)
    const DatabaseName = this.deps.databaseOf(tenant)
    // Made once per replica: a query of a version read before costs no Glue call.
    if (this.madeVersionTables.has(`${DatabaseName}.${name}`)) return
    const TableInput = toTableInput({ ...entry, name }, versions.bucket)
    await versions.glueFor(tenant).createTable({ DatabaseName, TableInput }).catch((err: unknown) => {
      if (awsErrorName(err) !== 'AlreadyExistsException') throw err
    })
    if (this.madeVersionTables.size >= KNOWN_VERSION_TABLES) this.madeVersionTables.clear()
    this.madeVersionTables.add(`${DatabaseName}.${name}`)
  }

  /** The execution, when it ran in this tenant's database; another tenant's is as good as unknown. */
  private async describe(tenant: TenantId, executionId: string): Promise<AthenaQueryExecution | undefined> {
    try {
      const { QueryExecution } = await this.deps.athenaFor(tenant).getQueryExecution({ QueryExecutionId: executionId })
      return QueryExecution?.QueryExecutionContext?.Database === this.deps.databaseOf(tenant) ? QueryExecution : undefined
    } catch (err) {
      if (awsErrorName(err) === 'InvalidRequestException') return undefined
      throw err
    }
  }

  private async columnsOf(tenant: TenantId, executionId: string): Promise<Column[] | undefined> {
    const known = this.columns.get(executionId)
    if (known) return known
    let info
    try {
      info = (await this.deps.athenaFor(tenant).getQueryResults({ QueryExecutionId: executionId, MaxResults: 1 })).ResultSet?.ResultSetMetadata?.ColumnInfo
    } catch {
      return undefined // The result is gone (removed); the status still says how it ended.
    }
    if (!info) return undefined
    const columns = athenaColumns(info)
    this.columns.set(executionId, columns)
    // Oldest first out: memory does not grow with the queries a long-lived replica has seen.
    if (this.columns.size > KNOWN_COLUMNS) this.columns.delete(this.columns.keys().next().value!)
    return columns
  }
}

/** GetQueryExecution's Statistics, as csvlake reports them. */
function statsOf(execution: AthenaQueryExecution): { scannedBytes?: number; engineMs?: number } {
  const { DataScannedInBytes, EngineExecutionTimeInMillis } = execution.Statistics ?? {}
  return {
    ...(DataScannedInBytes !== undefined ? { scannedBytes: DataScannedInBytes } : {}),
    ...(EngineExecutionTimeInMillis !== undefined ? { engineMs: EngineExecutionTimeInMillis } : {}),
  }
}

function notStored(): AppError {
  return new AppError('NOT_FOUND', 'The result of this query is no longer stored; run it again.')
}
