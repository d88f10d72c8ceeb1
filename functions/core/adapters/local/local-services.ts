import { DuckDBInstance } from '@duckdb/node-api'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import type { Config } from '../../config.ts'
import { keys } from '../../keys.ts'
import type { Logger } from '../../logger.ts'
import type { Services } from '../../services.ts'
import { DiskObjectStore } from './disk-object-store.ts'
import { DuckDbIngest } from './duckdb-ingest.ts'
import { DuckDbQueryEngine } from './duckdb-query-engine.ts'
import { localIngestTasks } from './local-ingest-tasks.ts'
import { LocalGlue } from './local-glue.ts'
import { LocalWorkflow } from './local-workflow.ts'
import { StoreCatalog } from './store-catalog.ts'

export type LocalServices = Services & { close(): Promise<void>; recovered: { jobs: number; queries: number } }

/**
 * Local mode: the data folder as the object store, a JSON catalog in it, DuckDB for crawling
 * (its own instance) and for queries (a sandboxed instance per tenant), and the ingest state
 * machine run in process. Jobs and queries a dead process left running end FAILED here.
 */
export async function createLocalServices(config: Config, log: Logger, definition: StateMachineDefinition): Promise<LocalServices> {
  await mkdir(config.dataDir, { recursive: true })
  const store = new DiskObjectStore(config.dataDir)
  await store.clearTemp()
  const catalog = new StoreCatalog(store)
  const now = () => new Date()
  const ingestDb = await DuckDBInstance.create(':memory:', { threads: String(config.query.threads) })
  const ingest = new DuckDbIngest(ingestDb)
  const glue = new LocalGlue(ingest, (url) => store.pathOf(url.replace(/^s3:\/\/[^/]+\//, '')))
  const workflow = new LocalWorkflow({
    store,
    definition,
    tasksFor: (input, progress) => localIngestTasks({ store, catalog, glue, ingest, now }, input, progress),
    waitMs: config.localWaitMs,
    cleanUpDead: async (record) => {
      const entry = await catalog.get(record.tenant, record.input.table)
      const part = keys.lakePart(record.tenant, record.input.table, record.jobId)
      if (!entry?.parts.some((p) => p.key === part)) await store.deletePrefix(dirname(part) + '/')
      await store.deletePrefix(keys.stagingDir(record.tenant, record.jobId))
    },
    log,
    now,
  })
  const queries = new DuckDbQueryEngine({ dataDir: config.dataDir, store, catalog, limits: config.query, now })
  const recovered = { jobs: await workflow.recover(), queries: await queries.recover() }
  return {
    config,
    log,
    store,
    catalog,
    workflow,
    queries,
    now,
    recovered,
    async close() {
      await workflow.close()
      await queries.close()
      ingestDb.closeSync()
    },
  }
}
