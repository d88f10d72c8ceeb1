import type { S3Client } from '@aws-sdk/client-s3'
import type { Config } from '../../config.ts'
import { StorageUsage } from '../../files/storage-usage.ts'
import { StoreSlots } from '../../limits/store-slots.ts'
import { applyRetention } from '../../ingest/table-versions.ts'
import type { Logger } from '../../logger.ts'
import { QueryService, type QueryRecord } from '../../query/query-service.ts'
import type { JobRecord } from '../../ports/workflow.ts'
import type { ServiceMetrics, Services } from '../../services.ts'
import { tenantDatabase, type TenantId } from '../../tenant.ts'
import type { AthenaApi } from './athena-api.ts'
import type { AwsConfig } from './aws-config.ts'
import { AthenaQueryRunner } from './athena-query-runner.ts'
import { s3AthenaOutputs } from './athena-s3-outputs.ts'
import { athenaResultsPrefix } from './tenant-session-policy.ts'
import type { GlueApi } from './glue-api.ts'
import { GlueCatalog } from './glue-catalog.ts'
import { S3ObjectStore } from './s3-object-store.ts'
import type { StepFunctionsApi } from './step-functions-api.ts'
import { StepFunctionsWorkflow } from './step-functions-workflow.ts'

/**
 * The SDK clients, made once per process. The tenant's Glue and Athena clients carry credentials
 * that reach only that tenant's database, tables and S3 folders (an assumed role with a session
 * policy); S3 and Step Functions run with the function's own role, since csvlake builds every key
 * and execution input itself from the tenant id it resolved.
 */
export type AwsServiceClients = {
  s3: S3Client
  glueFor: (tenant: TenantId) => GlueApi
  athenaFor: (tenant: TenantId) => AthenaApi
  sfn: StepFunctionsApi
}

export type AwsServices = Services & {
  /** Nothing to recover on AWS: executions and queries outlive every replica; answers zeros. */
  recover(): Promise<{ jobs: number; queries: number }>
  close(): Promise<void>
}

/**
 * aws mode: S3 for every byte, the Glue Data Catalog for tables, Athena for SQL and Step Functions
 * for ingest, behind the same ports local mode fills with the disk, DuckDB and the in-process
 * state machine. Per-tenant running limits are counted in S3 (StoreSlots), so every replica sees them.
 */
export function createAwsServices(config: Config, aws: AwsConfig, log: Logger, clients: AwsServiceClients, metrics?: ServiceMetrics): AwsServices {
  const store = new S3ObjectStore({ s3: clients.s3, bucket: aws.bucket })
  const catalog = new GlueCatalog({ glueFor: clients.glueFor, bucket: aws.bucket, databaseOf: (t) => tenantDatabase(t) })
  const now = () => new Date()
  const usage = new StorageUsage({ store, quotaBytes: config.tenantLimits.quotaBytes })
  const runner = new AthenaQueryRunner({
    athenaFor: clients.athenaFor,
    outputs: s3AthenaOutputs(store, aws.bucket),
    workGroup: aws.athena.workGroup,
    databaseOf: (t) => tenantDatabase(t),
    outputLocationOf: (t) => `s3://${aws.bucket}/${athenaResultsPrefix(t)}`,
    maxScannedBytes: aws.athena.maxScannedBytes,
    versions: { glueFor: clients.glueFor, bucket: aws.bucket },
  })
  const queries = new QueryService({
    runner,
    store,
    catalog,
    limits: { timeoutMs: config.query.timeoutMs, resultTtlMs: config.query.resultTtlMs, maxResultBytes: config.query.maxResultBytes },
    maxRunningPerTenant: config.tenantLimits.queries,
    slots: new StoreSlots(store),
    usage,
    now,
    ...(metrics ? { ended: (record: QueryRecord) => metrics.queryEnded(record) } : {}),
  })
  const workflow = new StepFunctionsWorkflow({
    sfn: clients.sfn,
    stateMachineArn: aws.ingestStateMachineArn,
    store,
    names: {
      bucket: aws.bucket,
      crawlerRole: aws.crawlerRoleArn,
      workGroup: aws.athena.workGroup,
      ...(aws.eks ? { eks: aws.eks } : {}),
      prepare: { region: aws.region, maxUploadBytes: config.maxUploadBytes, ...(config.tenantLimits.quotaBytes !== undefined ? { quotaBytes: config.tenantLimits.quotaBytes } : {}) },
    },
    now,
    maxRunningPerTenant: config.tenantLimits.jobs,
    ended: (record: JobRecord) => {
      metrics?.jobEnded(record)
      // The state machine registered the table; its versions past the retention go now.
      if (record.status === 'SUCCEEDED') {
        const retention = { catalog, store, now, retention: config.tableVersions, changed: (t: TenantId, table: string) => usage.tableChanged(t, table) }
        applyRetention(retention, record.tenant, record.input.table).catch((err: unknown) =>
          log.warn('table version retention failed', { tenant: record.tenant, table: record.input.table, error: err instanceof Error ? err.message : String(err) }),
        )
      }
    },
  })
  return {
    config,
    log,
    store,
    catalog,
    workflow,
    queries,
    usage,
    now,
    ...(metrics ? { metrics } : {}),
    recover: async () => ({ jobs: 0, queries: await queries.recover() }),
    async close() {
      await workflow.close()
      await queries.close()
    },
  }
}
