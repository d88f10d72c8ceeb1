import type { Config } from './config.ts'
import type { StorageUsage } from './files/storage-usage.ts'
import type { Logger } from './logger.ts'
import type { Catalog } from './ports/catalog.ts'
import type { ObjectStore } from './ports/object-store.ts'
import type { QueryEngine } from './query/query-service.ts'
import type { Workflow } from './ports/workflow.ts'

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
}
