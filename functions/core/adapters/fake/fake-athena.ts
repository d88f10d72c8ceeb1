import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { AthenaApi, AthenaOutputs } from '../aws/athena-api.ts'
import type { AthenaDatum } from '../aws/athena-results.ts'

/**
 * What the fake engine does with one SQL text: a result (every value as Athena's text, null for
 * NULL) or a failure with Athena's StateChangeReason; `runMs` is how long it stays RUNNING.
 */
export type ScriptedAnswer = (
  | { columns: { Name: string; Type: string; Precision?: number; Scale?: number }[]; rows: (string | null)[][] }
  | { fail: { reason: string; category?: number } }
) & {
  runMs?: number
  /** DataScannedInBytes reported while it runs and after. */
  scannedBytes?: number
}

/** Where the result CSV of an execution goes besides memory: S3 in the aws-mode API tests. */
export type FakeAthenaOptions = {
  clock?: () => number
  /** Called at the start with the result's location and CSV (Athena writes it when the query ends). */
  writeResult?: (location: string, csv: Buffer) => Promise<void>
}

type Execution = {
  id: string
  sql: string
  database: string
  /** The OutputLocation of the result object. */
  location: string
  submittedAt: number
  answer: ScriptedAnswer
  stoppedAt?: number
  /** NextTokens handed out: each reads on from its row. */
  tokens: Map<string, number>
  outputDeleted: boolean
}

/** An AWS error as the SDK throws it: `name` is the error code. */
export class FakeAwsError extends Error {
  constructor(name: string, message: string) {
    super(message)
    this.name = name
  }
}

/**
 * Amazon Athena as its API answers, in memory, for tests: StartQueryExecution assigns the id (and
 * answers the same id for a ClientRequestToken seen before), a query is QUEUED then RUNNING for a
 * while and only then SUCCEEDED or FAILED (bad SQL is found late, with "line 1:8: ..." in
 * StateChangeReason), GetQueryResults pages forward by NextToken with every value a string and the
 * header row first, the row count comes from GetQueryRuntimeStatistics, and the result is a CSV
 * object Athena wrote. Response shapes written from the Athena API reference, not recorded.
 */
export class FakeAthena implements AthenaApi {
  private readonly executions = new Map<string, Execution>()
  private readonly byToken = new Map<string, string>()
  readonly calls: string[] = []

  private readonly clock: () => number

  constructor(
    private readonly answer: (sql: string) => ScriptedAnswer,
    options: (() => number) | FakeAthenaOptions = {},
  ) {
    this.options = typeof options === 'function' ? { clock: options } : options
    this.clock = this.options.clock ?? Date.now
  }

  private readonly options: FakeAthenaOptions

  async startQueryExecution(input: {
    QueryString: string
    ClientRequestToken?: string
    QueryExecutionContext?: { Database?: string }
    WorkGroup?: string
    ResultConfiguration?: { OutputLocation?: string }
  }): Promise<{ QueryExecutionId: string }> {
    this.calls.push('StartQueryExecution')
    const seen = input.ClientRequestToken && this.byToken.get(input.ClientRequestToken)
    if (seen) return { QueryExecutionId: seen }
    const id = randomUUID()
    // Athena names the result object {OutputLocation}{QueryExecutionId}.csv.
    const location = `${input.ResultConfiguration?.OutputLocation ?? 's3://fake-athena-results/'}${id}.csv`
    const answer = this.answer(input.QueryString)
    this.executions.set(id, {
      id,
      location,
      sql: input.QueryString,
      database: input.QueryExecutionContext?.Database ?? 'default',
      submittedAt: this.clock(),
      answer,
      tokens: new Map(),
      outputDeleted: false,
    })
    if (this.options.writeResult && 'columns' in answer) await this.options.writeResult(location, this.csv(this.executions.get(id)!))
    if (input.ClientRequestToken) this.byToken.set(input.ClientRequestToken, id)
    return { QueryExecutionId: id }
  }

  async getQueryExecution(input: { QueryExecutionId: string }) {
    this.calls.push('GetQueryExecution')
    const x = this.execution(input.QueryExecutionId)
    const state = this.stateOf(x)
    const failed = state === 'FAILED' && 'fail' in x.answer ? x.answer.fail : undefined
    return {
      QueryExecution: {
        QueryExecutionId: x.id,
        Query: x.sql,
        StatementType: 'DML',
        QueryExecutionContext: { Database: x.database },
        ResultConfiguration: { OutputLocation: x.location },
        Status: {
          State: state,
          SubmissionDateTime: new Date(x.submittedAt),
          ...(failed ? { StateChangeReason: failed.reason, AthenaError: { ErrorCategory: failed.category ?? 2, ErrorType: 1001, Retryable: false, ErrorMessage: failed.reason } } : {}),
          ...(state === 'CANCELLED' ? { StateChangeReason: 'Query cancelled by user' } : {}),
        },
        Statistics: { DataScannedInBytes: x.answer.scannedBytes ?? 0, EngineExecutionTimeInMillis: Math.max(0, this.clock() - x.submittedAt) },
      },
    }
  }

  async getQueryResults(input: { QueryExecutionId: string; NextToken?: string; MaxResults?: number }) {
    this.calls.push('GetQueryResults')
    const x = this.execution(input.QueryExecutionId)
    if (this.stateOf(x) !== 'SUCCEEDED' || !('columns' in x.answer)) {
      throw new FakeAwsError('InvalidRequestException', `Query has not yet finished. Current state: ${this.stateOf(x)}`)
    }
    if (x.outputDeleted) throw new FakeAwsError('InvalidRequestException', 'Unable to read the query results: the output object does not exist')
    const max = input.MaxResults ?? 1000
    if (max < 1 || max > 1000) throw new FakeAwsError('InvalidRequestException', 'MaxResults must be between 1 and 1000')
    let from = 0
    if (input.NextToken !== undefined) {
      const at = x.tokens.get(input.NextToken)
      if (at === undefined) throw new FakeAwsError('InvalidRequestException', 'The NextToken is invalid or has expired')
      from = at
    }
    // Row 0 is the header: Athena answers a SELECT's column names as its first row.
    const all = [x.answer.columns.map((c) => c.Name), ...x.answer.rows]
    const rows = all.slice(from, from + max)
    const end = from + rows.length
    let next: string | undefined
    if (end < all.length) {
      next = randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', '')
      x.tokens.set(next, end)
    }
    return {
      ResultSet: {
        Rows: rows.map((row) => ({ Data: row.map((v): AthenaDatum => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: { ColumnInfo: x.answer.columns.map((c) => ({ CatalogName: 'hive', SchemaName: '', TableName: '', Label: c.Name, Nullable: 'UNKNOWN', CaseSensitive: false, Precision: 0, Scale: 0, ...c })) },
      },
      ...(next ? { NextToken: next } : {}),
    }
  }

  async getQueryRuntimeStatistics(input: { QueryExecutionId: string }) {
    this.calls.push('GetQueryRuntimeStatistics')
    const x = this.execution(input.QueryExecutionId)
    const state = this.stateOf(x)
    if (state !== 'SUCCEEDED' && state !== 'FAILED') throw new FakeAwsError('InvalidRequestException', 'Query has not yet finished')
    const rows = 'columns' in x.answer ? x.answer.rows.length : 0
    return { QueryRuntimeStatistics: { Rows: { InputRows: rows, InputBytes: 0, OutputRows: rows, OutputBytes: this.csv(x).length } } }
  }

  async stopQueryExecution(input: { QueryExecutionId: string }): Promise<Record<string, never>> {
    this.calls.push('StopQueryExecution')
    const x = this.execution(input.QueryExecutionId)
    const state = this.stateOf(x)
    if (state === 'QUEUED' || state === 'RUNNING') x.stoppedAt = this.clock()
    return {}
  }

  /** The result objects as S3 holds them (the OutputLocation of each execution). */
  outputs(): AthenaOutputs {
    const idOf = (location: string) => [...this.executions.values()].find((x) => x.location === location)?.id
    return {
      read: async (location) => {
        const id = idOf(location)
        const csv = id && this.executions.has(id) ? this.outputObject(id) : undefined
        return csv && Readable.from([csv])
      },
      remove: async (location) => {
        const id = idOf(location)
        return id ? this.deleteOutput(id) : 0
      },
    }
  }

  /** The CSV object Athena wrote to the result location (every value quoted), or undefined once deleted. */
  outputObject(queryExecutionId: string): Buffer | undefined {
    const x = this.execution(queryExecutionId)
    return this.stateOf(x) === 'SUCCEEDED' && !x.outputDeleted ? this.csv(x) : undefined
  }

  /** DeleteObject of the result location; answers the bytes it held. */
  deleteOutput(queryExecutionId: string): number {
    const x = this.executions.get(queryExecutionId)
    if (!x || x.outputDeleted || this.stateOf(x) !== 'SUCCEEDED') return 0
    x.outputDeleted = true
    return this.csv(x).length
  }

  private csv(x: Execution): Buffer {
    if (!('columns' in x.answer)) return Buffer.alloc(0)
    const quote = (v: string | null) => (v === null ? '' : `"${v.replaceAll('"', '""')}"`)
    const lines = [x.answer.columns.map((c) => quote(c.Name)), ...x.answer.rows.map((r) => r.map(quote))]
    return Buffer.from(lines.map((l) => l.join(',') + '\n').join(''))
  }

  private stateOf(x: Execution): 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' {
    const now = this.clock()
    const runMs = x.answer.runMs ?? 20
    if (x.stoppedAt !== undefined && x.stoppedAt < x.submittedAt + runMs) return 'CANCELLED'
    if (now < x.submittedAt + 5) return 'QUEUED'
    if (now < x.submittedAt + runMs) return 'RUNNING'
    return 'fail' in x.answer ? 'FAILED' : 'SUCCEEDED'
  }

  private execution(id: string): Execution {
    const x = this.executions.get(id)
    if (!x) throw new FakeAwsError('InvalidRequestException', `QueryExecution ${id} was not found`)
    return x
  }
}
