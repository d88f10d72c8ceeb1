import type { Readable } from 'node:stream'
import type { TenantId } from '../tenant.ts'
import type { Column, TableEntry } from './catalog.ts'

/** A JSON-safe cell: integers beyond 2^53 and decimals as strings, dates as ISO 8601, NULL as null. */
export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell }

/** Why a query failed, as users read it: SQL errors point at their line and column. */
export type QueryError = { code: string; message: string; line?: number; column?: number }

export type RunState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'

/** What the engine says of one execution (Athena: GetQueryExecution + GetQueryRuntimeStatistics). */
export type RunStatus = {
  state: RunState
  /** Known once planned (locally) or once it succeeded (Athena: the result set's metadata). */
  columns?: Column[]
  /** Rows of the whole result, once SUCCEEDED (Athena: Rows.OutputRows of the runtime statistics). */
  rowCount?: number
  /** FAILED: why. SQL errors carry their line and column (Athena: parsed from "line 1:8: ..."). */
  error?: QueryError
  /** Bytes the engine keeps of the result (its Parquet, or the CSV Athena wrote), for the tenant's quota. */
  resultBytes?: number
  /** What the engine reports of the run once it ended (Athena: GetQueryExecution's Statistics). */
  stats?: { scannedBytes?: number; engineMs?: number }
  /**
   * The whole result, when it is small (at most one page) and the engine has it at hand as it ends
   * (locally the sandbox sends it back with the end; Athena never does). Saves reading it back.
   * `json` is `{"rows":[...]}`, the rows as JSON, so they need not be turned into JSON again.
   */
  small?: { rows: Cell[][]; json: string }
}

export type RunOptions = {
  /** csvlake's id of the query: a start with a token seen before starts nothing new (Athena's ClientRequestToken). */
  token: string
  /**
   * The tenant's tables as the catalog has them now (locally the views to build; on Athena the
   * tenant's Glue database). An entry named `v3.orders` is version 3 of orders, which the SQL
   * reads by that name after time travel was rewritten (core/query/time-travel.ts): only an
   * engine with `timeTravel` is given one.
   */
  tables: TableEntry[]
  /** The most the stored result may take, in bytes; past it the run fails with RESULT_TOO_LARGE and keeps nothing. */
  maxResultBytes: number
}

/**
 * How an engine names version `version` of a table in SQL. `aliased` says whether the user gave
 * the reference an alias: so that `orders.id` still names a column, an engine whose relation has
 * another name adds `AS orders` when not.
 */
export type VersionRelation = (entry: TableEntry, version: number, aliased: boolean) => string

/** One page read forward; `next` reads the page after it, absent at the end. */
export type RunPage = { rows: Cell[][]; next?: string }

/**
 * The engine that runs a tenant's SQL over that tenant's tables: locally a sandboxed DuckDB
 * process per tenant, on AWS Athena in the tenant's Glue database. Shaped by what Athena can do,
 * so that both fit:
 * - the engine assigns the execution's id (StartQueryExecution answers it), made idempotent by
 *   csvlake's query id as the token;
 * - a SQL error may be thrown by `start` when the engine knows at once (DuckDB plans within a
 *   moment), or reported later as FAILED (Athena checks SQL after the start): callers handle both;
 * - results are read forward by opaque tokens (GetQueryResults' NextToken); only an engine that
 *   can seek answers `tokenAt`;
 * - the export is the result file the engine wrote (Athena's CSV in S3), streamed.
 * Everything that does not depend on the engine (records, reuse, per-tenant limits, small
 * results, expiry) lives in the domain's QueryService, above this port.
 */
export interface QueryRunner {
  /**
   * How it names an earlier version of a table in SQL, when it reads them (the reference the
   * rewrite puts in the SQL; RunOptions.tables then has the version as an entry named `v3.orders`).
   */
  readonly timeTravel?: VersionRelation
  /**
   * Starts one read-only statement and answers the engine's id for it. Throws AppError FORBIDDEN
   * for what is not a read and SQL_ERROR (with line and column) when the engine finds an error
   * before it answers; TOO_MANY_REQUESTS when it has no room now.
   */
  start(tenant: TenantId, sql: string, options: RunOptions): Promise<string>
  /**
   * The execution's status once it has ended or `waitMs` has passed, whichever is first (0: now).
   * Undefined when this engine does not know the id (locally: a run of another, or a dead, process).
   */
  status(tenant: TenantId, executionId: string, waitMs?: number): Promise<RunStatus | undefined>
  /** Asks a running execution to stop; its state becomes CANCELLED. Nothing happens to an ended one. */
  stop(tenant: TenantId, executionId: string): Promise<void>
  /**
   * Up to `maxRows` rows of a SUCCEEDED execution's result, after `token` (from the start without
   * one). `columns` are those its status gave: an engine whose stored result does not say how to
   * type a cell (Athena answers strings) types them by these.
   */
  read(tenant: TenantId, executionId: string, page: { token?: string; maxRows: number; columns?: Column[] }): Promise<RunPage>
  /** A token that reads from row `offset`, for an engine that can seek (locally); Athena cannot. */
  tokenAt?(offset: number): string
  /** The whole result as CSV with a header row, streamed from what the engine stored. */
  exportCsv(tenant: TenantId, executionId: string): Promise<Readable>
  /** Removes what the engine stored for the execution; answers the bytes freed. */
  remove(tenant: TenantId, executionId: string): Promise<number>
  /** The tenant's tables changed: what the engine keeps of them is rebuilt on its next start. */
  invalidate(tenant: TenantId): void
  /** Gets ready for the first query ahead of it (locally: a sandbox process started now). */
  warm?(): void
  close(): Promise<void>
}
