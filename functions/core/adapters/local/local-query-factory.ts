import type { LocalBase } from './local-workflow-factory.ts'
import { DuckDbQueryEngine } from './duckdb-query-engine.ts'

/** Each tenant's SQL in a sandboxed DuckDB instance of its own. Loaded on first use. */
export function createLocalQueryEngine(base: LocalBase) {
  return new DuckDbQueryEngine({ maxRunningPerTenant: base.config.tenantLimits.queries, dataDir: base.config.dataDir, store: base.store, catalog: base.catalog, limits: base.config.query, usage: base.usage, now: base.now, ...(base.metrics ? { metrics: base.metrics } : {}) })
}
