import type { Readable } from 'node:stream'
import type { TenantId } from '../tenant.ts'
import type { Column } from './catalog.ts'

export type QueryStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'

/** A JSON-safe cell: integers beyond 2^53 and decimals as strings, dates as ISO 8601, NULL as null. */
export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell }

export type QueryError = { code: string; message: string; line?: number; column?: number }

/** What the engine keeps of a query; persisted so a page or an export survives the process. */
export type QueryRecord = {
  queryId: string
  tenant: TenantId
  sql: string
  status: QueryStatus
  submittedAt: string
  endedAt?: string
  columns?: Column[]
  rowCount?: number
  error?: QueryError
  /** Answered from the result of this earlier query (the same SQL over the same tables); no SQL ran. */
  reusedFrom?: string
}

export type StartOptions = {
  /** May an identical earlier query's result answer this one (default true)? */
  reuse?: boolean
}

export type ResultPage = { columns: Column[]; rows: Cell[][]; offset: number; rowCount: number }

/**
 * Runs a tenant's SQL over that tenant's tables only. Locally a sandboxed DuckDB instance per
 * tenant; on AWS, Athena in the tenant's Glue database.
 */
export interface QueryEngine {
  /**
   * Checks and starts one read-only statement. Throws AppError SQL_ERROR (with line and column
   * where known) when the SQL does not parse or bind, FORBIDDEN when it is not a read. Unless
   * `options.reuse` is false, the same SQL over tables unchanged since it last ran may be answered
   * from that run's result (`reusedFrom`) - Athena's result reuse in the cloud.
   */
  start(tenant: TenantId, queryId: string, sql: string, options?: StartOptions): Promise<QueryRecord>
  /** The record once the query has ended or `waitMs` has passed, whichever is first. */
  wait(tenant: TenantId, queryId: string, waitMs: number): Promise<QueryRecord>
  /** Throws AppError NOT_FOUND for an unknown id or another tenant's. */
  get(tenant: TenantId, queryId: string): Promise<QueryRecord>
  /** Rows [offset, offset + limit) of a SUCCEEDED query's stored result. */
  page(tenant: TenantId, queryId: string, offset: number, limit: number): Promise<ResultPage>
  /** Interrupts a running query; its status becomes CANCELLED. */
  cancel(tenant: TenantId, queryId: string): Promise<QueryRecord>
  /** The whole stored result as CSV with a header row, streamed. */
  exportCsv(tenant: TenantId, queryId: string): Promise<Readable>
  /** Drops what the engine caches of a tenant's tables, after the catalog changed. */
  invalidate(tenant: TenantId): void
  /** Gets ready for the first query ahead of it (locally: a sandbox process started now); optional. */
  warm?(): void
  close(): Promise<void>
}
