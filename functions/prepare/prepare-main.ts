import type { S3Client } from '@aws-sdk/client-s3'
import { DuckDBInstance } from '@duckdb/node-api'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { glueClient, s3Client } from '../core/adapters/aws/aws-clients.ts'
import { loadAwsClientConfig } from '../core/adapters/aws/aws-config.ts'
import { GlueCatalog } from '../core/adapters/aws/glue-catalog.ts'
import type { GlueApi } from '../core/adapters/aws/glue-api.ts'
import { S3ObjectStore } from '../core/adapters/aws/s3-object-store.ts'
import { DuckDbIngest } from '../core/adapters/local/duckdb-ingest.ts'
import { StorageUsage } from '../core/files/storage-usage.ts'
import type { Logger } from '../core/logger.ts'
import { tenantDatabase } from '../core/tenant.ts'
import { prepareJobFrom } from './job.ts'
import { failureCause, runPrepareStep } from './prepare.ts'

type Env = Record<string, string | undefined>

/** Exit codes: the step ran; it failed (its cause is in outcomeKey); the Job was started wrong. */
export const EXIT = { ok: 0, failed: 1, misconfigured: 2 } as const

/**
 * The prepare image's program: one step of one ingest job, from the Job's arguments and
 * environment (see job.ts), on the Job's own role (IRSA): S3 for the bytes, Glue for the crawled
 * columns and the tenant's table, DuckDB in this process for the conversion, bounded by
 * CSVLAKE_PREPARE_MEMORY_LIMIT and spilling to the scratch folder (the Job's emptyDir, whose
 * sizeLimit bounds it). Answers the exit code; logs one line for the outcome.
 */
export async function prepareMain(argv: readonly string[], env: Env, log: Logger, given?: { s3: S3Client; glue: GlueApi }): Promise<number> {
  let job
  let clients
  try {
    job = prepareJobFrom(argv, env)
    // The region travels in CSVLAKE_NAMES; AWS_REGION (set by EKS for IRSA) wins when both are set.
    clients = loadAwsClientConfig({ ...env, AWS_REGION: env.AWS_REGION || job.names.prepare.region }, 'The prepare job')
  } catch (err) {
    log.error('prepare: cannot start', { error: err instanceof Error ? err.message : String(err) })
    return EXIT.misconfigured
  }
  const started = Date.now()
  const scratchRoot = env.TMPDIR || tmpdir()
  await mkdir(scratchRoot, { recursive: true })
  const scratch = await mkdtemp(join(scratchRoot, 'csvlake-prepare-'))
  // `given`: clients a test watches (infra/prepare-role.test.ts records every call they make).
  const s3 = given?.s3 ?? s3Client(clients)
  const glue: GlueApi = given?.glue ?? glueClient(clients)
  const store = new S3ObjectStore({ s3, bucket: job.names.bucket })
  const { maxUploadBytes, quotaBytes } = job.names.prepare
  const usage = new StorageUsage({ store, quotaBytes })
  let instance: DuckDBInstance | undefined
  try {
    instance = await DuckDBInstance.create(':memory:', {
      threads: env.CSVLAKE_PREPARE_THREADS || '2',
      memory_limit: env.CSVLAKE_PREPARE_MEMORY_LIMIT || '1GB',
      temp_directory: join(scratch, 'duckdb'),
    })
    const report = await runPrepareStep(
      {
        store,
        glue,
        catalog: new GlueCatalog({ glueFor: () => glue, bucket: job.names.bucket, databaseOf: (t) => tenantDatabase(t) }),
        ingest: new DuckDbIngest(instance, 1),
        scratch,
        limits: { maxUploadBytes, ...(quotaBytes !== undefined ? { quotaBytes, reserve: (t, atMost) => usage.reserve(t, { atMost, what: 'This .csv.gz, inflated,' }) } : {}) },
      },
      job,
    )
    log.info('prepare: done', { tenant: job.tenant, jobId: job.jobId, ...report, ms: Date.now() - started })
    return EXIT.ok
  } catch (err) {
    const cause = failureCause(err, scratch)
    log.error('prepare: failed', { tenant: job.tenant, jobId: job.jobId, step: job.step, code: cause.code, error: cause.message, ms: Date.now() - started })
    return EXIT.failed
  } finally {
    instance?.closeSync()
    if (!given) s3.destroy()
    await rm(scratch, { recursive: true, force: true })
  }
}
