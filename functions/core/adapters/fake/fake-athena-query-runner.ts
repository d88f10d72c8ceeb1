import { Readable } from 'node:stream'
import { AppError } from '../../errors.ts'
import type { Column } from '../../ports/catalog.ts'
import type { QueryRunner, RunOptions, RunPage, RunStatus } from '../../ports/query-runner.ts'
import type { TenantId } from '../../tenant.ts'
import { athenaCell, athenaColumns, athenaError } from '../aws/athena-results.ts'
import { FakeAthena, FakeAwsError } from './fake-athena.ts'

/** GetQueryResults answers at most this many rows a call. */
const MAX_RESULTS = 1000

/**
 * A QueryRunner over FakeAthena, translating as the aws adapter over Athena will: the tenant's
 * Glue database as the query's context, csvlake's query id as ClientRequestToken, state polled
 * with GetQueryExecution, columns from the result set's metadata, the row count from the runtime
 * statistics, the header row skipped and every string cell typed back, errors read from
 * StateChangeReason. It cannot seek: pages are read forward by NextToken.
 */
export class FakeAthenaQueryRunner implements QueryRunner {
  private readonly columns = new Map<string, Column[]>()

  constructor(
    readonly athena: FakeAthena,
    private readonly opts: { pollMs?: number } = {},
  ) {}

  async start(tenant: TenantId, sql: string, options: RunOptions): Promise<string> {
    const { QueryExecutionId } = this.athena.startQueryExecution({
      QueryString: sql,
      ClientRequestToken: options.token,
      QueryExecutionContext: { Database: databaseOf(tenant) },
      WorkGroup: 'csvlake',
    })
    return QueryExecutionId
  }

  async status(tenant: TenantId, executionId: string, waitMs = 0): Promise<RunStatus | undefined> {
    const until = Date.now() + waitMs
    for (;;) {
      const execution = this.describe(tenant, executionId)
      if (!execution) return undefined
      const { State, StateChangeReason } = execution.Status
      if (State === 'SUCCEEDED') {
        const stats = this.athena.getQueryRuntimeStatistics({ QueryExecutionId: executionId }).QueryRuntimeStatistics.Rows
        const columns = this.columnsOf(executionId)
        return { state: 'SUCCEEDED', ...(columns ? { columns } : {}), rowCount: stats.OutputRows, resultBytes: stats.OutputBytes }
      }
      if (State === 'FAILED') {
        const category = 'AthenaError' in execution.Status ? (execution.Status.AthenaError as { ErrorCategory: number }).ErrorCategory : undefined
        return { state: 'FAILED', error: athenaError(StateChangeReason, category) }
      }
      if (State === 'CANCELLED') return { state: 'CANCELLED' }
      if (Date.now() >= until) return { state: 'RUNNING' }
      await new Promise((done) => setTimeout(done, Math.min(this.opts.pollMs ?? 10, Math.max(1, until - Date.now()))))
    }
  }

  async stop(tenant: TenantId, executionId: string): Promise<void> {
    if (this.describe(tenant, executionId)) this.athena.stopQueryExecution({ QueryExecutionId: executionId })
  }

  async read(tenant: TenantId, executionId: string, page: { token?: string; maxRows: number }): Promise<RunPage> {
    if (!this.describe(tenant, executionId)) throw notStored()
    const first = page.token === undefined
    // The first page starts with the header row: one more is asked for, and skipped.
    const max = Math.min(MAX_RESULTS, Math.max(1, page.maxRows + (first ? 1 : 0)))
    let answer
    try {
      answer = this.athena.getQueryResults({ QueryExecutionId: executionId, MaxResults: max, ...(first ? {} : { NextToken: page.token! }) })
    } catch (err) {
      if (err instanceof FakeAwsError && /NextToken/.test(err.message)) throw new AppError('BAD_REQUEST', 'nextToken is not one this API gave out; pass it back exactly as received.')
      if (err instanceof FakeAwsError) throw notStored()
      throw err
    }
    const columns = athenaColumns(answer.ResultSet.ResultSetMetadata.ColumnInfo)
    const rows = answer.ResultSet.Rows.slice(first ? 1 : 0).map((row) => columns.map((c, i) => athenaCell(c.type, row.Data[i])))
    return { rows, ...(answer.NextToken ? { next: answer.NextToken } : {}) }
  }

  async exportCsv(tenant: TenantId, executionId: string): Promise<Readable> {
    const csv = this.describe(tenant, executionId) && this.athena.outputObject(executionId)
    if (!csv) throw notStored()
    return Readable.from([csv])
  }

  async remove(tenant: TenantId, executionId: string): Promise<number> {
    return this.describe(tenant, executionId) ? this.athena.deleteOutput(executionId) : 0
  }

  invalidate(): void {
    // Athena reads the Glue catalog on every query: nothing is kept to drop.
  }

  async close(): Promise<void> {}

  /** The execution, when it ran in this tenant's database; another tenant's is as good as unknown. */
  private describe(tenant: TenantId, executionId: string) {
    try {
      const { QueryExecution } = this.athena.getQueryExecution({ QueryExecutionId: executionId })
      return QueryExecution.QueryExecutionContext.Database === databaseOf(tenant) ? QueryExecution : undefined
    } catch (err) {
      if (err instanceof FakeAwsError && err.name === 'InvalidRequestException') return undefined
      throw err
    }
  }

  private columnsOf(executionId: string): Column[] | undefined {
    const known = this.columns.get(executionId)
    if (known) return known
    let info
    try {
      info = this.athena.getQueryResults({ QueryExecutionId: executionId, MaxResults: 1 }).ResultSet.ResultSetMetadata.ColumnInfo
    } catch {
      return undefined // The result is gone (removed); the status still says how it ended.
    }
    const columns = athenaColumns(info)
    this.columns.set(executionId, columns)
    return columns
  }
}

/** Each tenant's tables are one Glue database. */
export function databaseOf(tenant: TenantId): string {
  return `csvlake_${tenant.replaceAll('-', '_')}`
}

function notStored(): AppError {
  return new AppError('NOT_FOUND', 'The result of this query is no longer stored; run it again.')
}
