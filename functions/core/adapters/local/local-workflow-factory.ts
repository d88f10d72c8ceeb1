import { DuckDBInstance } from '@duckdb/node-api'
import { dirname } from 'node:path'
import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import type { Config } from '../../config.ts'
import { keys } from '../../keys.ts'
import type { Logger } from '../../logger.ts'
import type { Catalog } from '../../ports/catalog.ts'
import type { StorageUsage } from '../../files/storage-usage.ts'
import type { ServiceMetrics } from '../../services.ts'
import type { DiskObjectStore } from './disk-object-store.ts'
import { DuckDbIngest } from './duckdb-ingest.ts'
import { localIngestTasks } from './local-ingest-tasks.ts'
import { LocalGlue } from './local-glue.ts'
import { LocalWorkflow } from './local-workflow.ts'
import { allParts } from '../../ingest/table-versions.ts'

export type LocalBase = { config: Config; log: Logger; store: DiskObjectStore; catalog: Catalog; usage: StorageUsage; now: () => Date; metrics?: ServiceMetrics }

/**
 * The ingest workflow locally: the ASL definition run in process, its crawler and converter on
 * a DuckDB instance of their own (user SQL never reaches it). Loaded on first use.
 */
export async function createLocalWorkflow(base: LocalBase, definition: StateMachineDefinition) {
  const { config, log, store, catalog, usage, now } = base
  const ingestDb = await DuckDBInstance.create(':memory:', { threads: String(config.query.threads) })
  const ingest = new DuckDbIngest(ingestDb)
  const glue = new LocalGlue(ingest, (url) => store.pathOf(url.replace(/^s3:\/\/[^/]+\//, '')))
  const workflow = new LocalWorkflow({
    store,
    definition,
    tasksFor: (input) =>
      localIngestTasks({ store, catalog, glue, ingest, now, retention: config.tableVersions, limits: { maxUploadBytes: config.maxUploadBytes, quotaBytes: config.tenantLimits.quotaBytes, reserve: (t, atMost) => usage.reserve(t, { atMost, what: 'This .csv.gz, inflated,' }) } }, input),
    waitMs: config.localWaitMs,
    cleanUpDead: async (record) => {
      const entry = await catalog.get(record.tenant, record.input.table)
      const part = keys.lakePart(record.tenant, record.input.table, record.jobId)
      if (!(entry && allParts(entry).some((p) => p.key === part))) await store.deletePrefix(dirname(part) + '/')
      await store.deletePrefix(keys.stagingDir(record.tenant, record.jobId))
    },
    log,
    now,
    dispose: () => ingestDb.closeSync(),
    maxRunningPerTenant: config.tenantLimits.jobs,
    // Whatever the job did to its table (a part added, parts replaced, a failed part removed) counts now.
    // Each job ends once, in the one process that runs it: counted there.
    ended: (record) => {
      base.metrics?.jobEnded(record)
      return usage.tableChanged(record.tenant, record.input.table)
    },
  })
  return workflow
}

