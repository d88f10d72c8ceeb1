import { mkdir } from 'node:fs/promises'
import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import type { Config } from '../../config.ts'
import type { Logger } from '../../logger.ts'
import type { Runs, ServiceMetrics, Services } from '../../services.ts'
import { StorageUsage } from '../../files/storage-usage.ts'
import { lazyQueryEngine, lazyWorkflow } from '../lazy-ports.ts'
import { DiskObjectStore } from './disk-object-store.ts'
import { StoreCatalog } from './store-catalog.ts'
import { keys } from '../../keys.ts'

export type LocalServices = Services & {
  /** Jobs and queries a dead process left running end FAILED (the gateway calls this at start-up). */
  recover(): Promise<{ jobs: number; queries: number }>
  /**
   * What one function run alone recovers: only the runs it owns (submit runs the jobs, query the
   * queries), so it never ends another live process's runs; the folder-wide clean-up (temp files,
   * the saved storage figures) stays the gateway's.
   */
  recoverRuns?(runs: Runs): Promise<{ jobs: number; queries: number }>
  close(): Promise<void>
}

/**
 * Local mode: the data folder as the object store and a JSON catalog in it; DuckDB (for the
 * crawler and for queries) and the in-process state machine are loaded on first use, so a
 * function that needs neither starts without them.
 */
export async function createLocalServices(config: Config, log: Logger, definition: StateMachineDefinition, metrics?: ServiceMetrics): Promise<LocalServices> {
  await mkdir(config.dataDir, { recursive: true })
  const store = new DiskObjectStore(config.dataDir)
  const catalog = new StoreCatalog(store, (prefix) => store.version(prefix))
  const now = () => new Date()
  // One per process: the in-memory figure is the truth only while every writer reports to it.
  const usage = new StorageUsage({ store, quotaBytes: config.tenantLimits.quotaBytes })
  const base = { config, log, store, catalog, usage, now, ...(metrics ? { metrics } : {}) }
  const workflow = lazyWorkflow(async () => (await import('./local-workflow-factory.ts')).createLocalWorkflow(base, definition))
  const queries = lazyQueryEngine(async () => (await import('./local-query-factory.ts')).createLocalQueryEngine(base))
  return {
    ...base,
    workflow,
    queries,
    recover: async () => {
      // Only the one process that owns the folder (the gateway) may clear others' temp files.
      await store.clearTemp()
      await usage.open()
      return { jobs: await workflow.recover(), queries: await queries.recover() }
    },
    // Only when a run was left behind: recovering loads the workflow or the engine (DuckDB), which
    // a function just started for a request must not wait for (it doubled submit's cold start).
    recoverRuns: async (runs) => ({
      jobs: runs.jobs && (await leftBehind(store, keys.runningJobsPrefix(), keys.runningJobsIndexed(), keys.jobsPrefix())) ? await workflow.recover() : 0,
      queries: runs.queries && (await leftBehind(store, keys.runningQueriesPrefix(), keys.runningQueriesIndexed(), keys.queriesPrefix())) ? await queries.recover() : 0,
    }),
    async close() {
      await workflow.close()
      await queries.close()
      // Last: every writer has stopped, so the figures saved for the next start are final.
      await usage.close()
    },
  }
}

/**
 * Whether runs may have been left RUNNING: a marker in the running index, or - before the index
 * exists - any record at all (recovery then scans them once and writes the index).
 */
async function leftBehind(store: DiskObjectStore, runningPrefix: string, indexed: string, recordsPrefix: string): Promise<boolean> {
  if ((await store.size(indexed)) === undefined) return (await store.listPage(recordsPrefix, { limit: 1 })).keys.length > 0
  return (await store.listPage(runningPrefix, { limit: 2 })).keys.some((key) => key !== indexed)
}
