import type { Column, TableEntry } from '../../ports/catalog.ts'
import type { Cell, QueryError } from '../../ports/query-runner.ts'
import type { SandboxSettings } from './duckdb-sandbox.ts'

/**
 * The messages between the query engine (in the serving process) and a tenant's sandbox process,
 * which holds that tenant's DuckDB instance. Everything that plans, runs or reads a tenant's SQL
 * happens over there, so a query that plans forever, asks for gigabytes or holds the thread pool
 * harms only its own tenant's process - which the engine can kill and start again.
 */
export type SandboxRequest =
  | { op: 'sync'; entries: TableEntry[]; force: boolean }
  | { op: 'plan'; run: string; sql: string; target: string }
  | { op: 'execute'; run: string; small: SmallLimits; maxResultBytes: number }
  | { op: 'discard'; run: string }
  | { op: 'page'; parquet: string; offset: number; limit: number; types: string[]; maxBytes: number }
  | { op: 'export'; parquet: string; csv: string }

/** A small result is read into memory only within both bounds; a bigger one is written as Parquet. */
export type SmallLimits = { rows: number; bytes: number }

export type ExecuteOutcome =
  /** `json` is `{"rows": [...]}`: the child measured it, the parent parses it once. */
  | { kind: 'small'; json: string; rowCount: number }
  | { kind: 'stored'; rowCount: number }
  | { kind: 'failed'; error: QueryError }

export type SandboxReplies = {
  sync: null
  plan: Column[]
  execute: ExecuteOutcome
  discard: null
  page: { json: string }
  export: null
}

/**
 * Parent -> child: first the tenant it is to serve (`open`), then requests with their ids, or an
 * interrupt of one run (no answer).
 */
export type ToSandbox = { open: SandboxSettings } | { id: number; request: SandboxRequest } | { interrupt: string }

/** Child -> parent. Errors are AppError's fields, so they cross the process boundary intact. */
export type FromSandbox =
  /** Started, DuckDB loaded: waiting to be told its tenant. */
  | { spare: true }
  /** Its tenant's instance is open: requests may come. */
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string; details: Record<string, unknown> } }
