import type { Config } from './config.ts'
import type { StorageUsage } from './files/storage-usage.ts'
import type { Logger } from './logger.ts'
import type { Catalog } from './ports/catalog.ts'
import type { ObjectStore } from './ports/object-store.ts'
import type { QueryEngine } from './query/query-service.ts'
import type { JobRecord, Workflow } from './ports/workflow.ts'
import type { QueryRecord } from './query/query-records.ts'

/** Everything a function may need, built once by `main.ts` for the chosen mode. */
export type Services = {
  config: Config
  log: Logger
  store: ObjectStore
  catalog: Catalog
  workflow: Workflow
  queries: QueryEngine
  /** What each tenant keeps (uploads, tables, query results), against its storage quota. */
  usage: StorageUsage
  now: () => Date
  /** Where the domain reports what /metrics shows; absent in tests that do not look. */
  metrics?: ServiceMetrics
}

/**
 * What the domain tells the metrics, as plain callbacks: the domain never loads prom-client
 * (`core/http/metrics.ts` does, and fills these in).
 */
export type ServiceMetrics = {
  /** An uploaded file's bytes, once stored. */
  uploadStored(bytes: number): void
  /** A job's final record, once per job (see where each workflow calls it). */
  jobEnded(record: JobRecord): void
  /** A query's final record, by the process that started it. */
  queryEnded(record: QueryRecord): void
  /** How to count the DuckDB sandbox instances open now; read at each scrape. */
  watchSandboxes(count: () => number): void
}

/** What a process runs, and so recovers after a crash: the ingest jobs, the queries, or both (the gateway). */
export type Runs = { jobs?: boolean; queries?: boolean }
