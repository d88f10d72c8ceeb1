import type { Config } from './config.ts'
import type { Logger } from './logger.ts'
import type { Catalog } from './ports/catalog.ts'
import type { ObjectStore } from './ports/object-store.ts'
import type { QueryEngine } from './ports/query-engine.ts'
import type { Workflow } from './ports/workflow.ts'

/** Everything a function may need, built once by `main.ts` for the chosen mode. */
export type Services = {
  config: Config
  log: Logger
  store: ObjectStore
  catalog: Catalog
  workflow: Workflow
  queries: QueryEngine
  now: () => Date
}
