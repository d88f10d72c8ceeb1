import type { Config } from '../../config.ts'
import type { StorageUsage } from '../../files/storage-usage.ts'
import type { Catalog } from '../../ports/catalog.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { ServiceMetrics } from '../../services.ts'
import { QueryService } from '../../query/query-service.ts'
import { DuckDbQueryRunner } from './duckdb-query-runner.ts'

export type DuckDbQueryEngineDeps = {
  /** How many queries one tenant may have running at once (fair sharing). */
  maxRunningPerTenant?: number
  dataDir: string
  store: ObjectStore
  catalog: Catalog
  limits: Config['query']
  /** What each tenant keeps against its quota: query results count, and are bounded by what is left. */
  usage?: StorageUsage
  now?: () => Date
  metrics?: ServiceMetrics
}

/**
 * Local mode's queries: the domain's QueryService (records, limits, reuse, small results,
 * expiry) over the DuckDB runner, which runs each tenant's SQL in a sandbox process of its own.
 */
export class DuckDbQueryEngine extends QueryService {
  constructor(deps: DuckDbQueryEngineDeps) {
    const { dataDir, limits, usage, store, catalog, maxRunningPerTenant, now, metrics } = deps
    const runner = new DuckDbQueryRunner({ dataDir, limits, ...(usage ? { usage } : {}) })
    metrics?.watchSandboxes(() => runner.sandboxesOpen)
    super({ runner, store, catalog, limits, ...(maxRunningPerTenant === undefined ? {} : { maxRunningPerTenant }), ...(usage ? { usage } : {}), ...(now ? { now } : {}), ...(metrics ? { ended: (record) => metrics.queryEnded(record) } : {}) })
  }
}
