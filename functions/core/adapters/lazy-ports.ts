import type { Readable } from 'node:stream'
import type { PageAt, QueryEngine, StartOptions } from '../query/query-service.ts'
import type { IngestInput, Workflow } from '../ports/workflow.ts'
import type { TenantId } from '../tenant.ts'

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined
  return () => (loaded ??= load())
}

/**
 * A workflow built on first use: a function that never runs a job (most of them) never loads
 * the state machine runner, so it starts faster.
 */
export function lazyWorkflow(load: () => Promise<Workflow>): Workflow & { loaded(): boolean } {
  let ready = false
  const get = once(async () => {
    const workflow = await load()
    ready = true
    return workflow
  })
  return {
    loaded: () => ready,
    start: async (input: IngestInput) => (await get()).start(input),
    describe: async (tenant: TenantId, jobId: string) => (await get()).describe(tenant, jobId),
    list: async (tenant: TenantId, page: { limit: number; after?: string }) => (await get()).list(tenant, page),
    recover: async () => (await get()).recover(),
    close: async () => (ready ? (await get()).close() : undefined),
  }
}

/** A query engine built on first use (DuckDB loads only in the functions that query). */
export function lazyQueryEngine(load: () => Promise<QueryEngine & { recover(): Promise<number> }>) {
  let engine: (QueryEngine & { recover(): Promise<number> }) | undefined
  const get = once(async () => (engine = await load()))
  const lazy: QueryEngine & { recover(): Promise<number> } = {
    start: async (tenant: TenantId, queryId: string, sql: string, options?: StartOptions) => (await get()).start(tenant, queryId, sql, options),
    wait: async (tenant: TenantId, queryId: string, waitMs: number) => (await get()).wait(tenant, queryId, waitMs),
    get: async (tenant: TenantId, queryId: string) => (await get()).get(tenant, queryId),
    page: async (tenant: TenantId, queryId: string, at: number | PageAt, limit: number) => (await get()).page(tenant, queryId, at, limit),
    cancel: async (tenant: TenantId, queryId: string) => (await get()).cancel(tenant, queryId),
    exportCsv: async (tenant: TenantId, queryId: string): Promise<Readable> => (await get()).exportCsv(tenant, queryId),
    // Nothing is cached before the engine exists, so there is nothing to drop.
    invalidate: (tenant: TenantId) => engine?.invalidate(tenant),
    // The function that queries asks for this as it starts: the engine loads, and warms, meanwhile.
    warm: () => void get().then((e) => e.warm?.()).catch(() => undefined),
    recover: async () => (await get()).recover(),
    close: async () => engine?.close(),
  }
  return lazy
}
