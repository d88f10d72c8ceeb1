import { DuckDBInstance } from '@duckdb/node-api'
import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import definition from '../../statemachines/ingest.asl.json' with { type: 'json' }
import { FakeAws, type FakeAwsOptions } from '../../statemachines/fixtures/fake-aws.ts'
import { loadAwsConfig } from '../core/adapters/aws/aws-config.ts'
import { createAwsServices, type AwsServices } from '../core/adapters/aws/aws-services.ts'
import type { GlueApi, GlueTable } from '../core/adapters/aws/glue-api.ts'
import { FakeAthena, type ScriptedAnswer } from '../core/adapters/fake/fake-athena.ts'
import { FakeGlueError } from '../core/adapters/fake/fake-glue.ts'
import { FakeStepFunctions } from '../core/adapters/fake/fake-step-functions.ts'
import { loadConfig } from '../core/config.ts'
import { createLogger } from '../core/logger.ts'
import { DuckDbIngest } from '../core/adapters/local/duckdb-ingest.ts'
import { createGatewayApp } from '../gateway/app.ts'
import { prepareJobFrom } from '../prepare/job.ts'
import { runPrepareStep } from '../prepare/prepare.ts'
import { startS3rver, type RunningS3rver } from './s3rver.ts'
import { serveOnFreePort } from './test-server.ts'

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest'

/** The aws-mode variables of a deployment whose S3 is `s3rver`. */
export function awsEnv(s3: RunningS3rver): Record<string, string> {
  return {
    CSVLAKE_MODE: 'aws',
    CSVLAKE_S3_BUCKET: s3.bucket,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    CSVLAKE_ATHENA_WORKGROUP: 'csvlake',
    CSVLAKE_INGEST_STATE_MACHINE_ARN: STATE_MACHINE,
    CSVLAKE_CRAWLER_ROLE_ARN: 'arn:aws:iam::123456789012:role/csvlake-crawler',
    CSVLAKE_TENANT_ROLE_ARN: 'arn:aws:iam::123456789012:role/csvlake-tenant',
  }
}

export type AwsTestServer = {
  url: string
  s3: RunningS3rver
  aws: FakeAws
  athena: FakeAthena
  sfn: FakeStepFunctions
  services: AwsServices
  close(): Promise<void>
}

/**
 * The gateway in aws mode over real HTTP: S3 is s3rver (real HTTP, objects on disk), and the
 * services no machine here can run are doubles answering as the AWS API references say (written
 * from them, not recorded): Step Functions runs the real `ingest.asl.json` with FakeStepFunctions,
 * its Glue, S3, Athena and EKS tasks answered by `FakeAws`; the catalog reads the tables those
 * tasks registered, through a Glue API over FakeAws's tables; Athena is FakeAthena, writing each
 * result CSV into the bucket where Athena would.
 */
export async function startAwsTestServer(opts: { env?: Record<string, string>; aws?: FakeAwsOptions; answers: (sql: string) => ScriptedAnswer; realJobs?: boolean }): Promise<AwsTestServer> {
  const s3 = await startS3rver('csvlake-aws-mode')
  const env = { ...awsEnv(s3), PORT: '0', ...opts.env }
  const config = loadConfig(env)
  const awsConfig = loadAwsConfig(env)
  const log = createLogger({ quiet: true })
  let services: AwsServices | undefined
  // With realJobs, the state machine's EKS Jobs run the prepare program (in this process) on the
  // bucket's real bytes, and its S3 states read and delete in the bucket.
  const jobs: Partial<FakeAwsOptions> = opts.realJobs
    ? {
        bucket: {
          get: async (key) => {
            const bytes = await services!.store.getBytes(key)
            return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8')
          },
          delete: (key) => services!.store.delete(key),
        },
        job: (step, jobEnv) => runPrepareInProcess(services!, glue, step, jobEnv),
      }
    : {}
  const aws = new FakeAws({ ...opts.aws, ...jobs })
  const sfn = new FakeStepFunctions(definition as unknown as StateMachineDefinition, () => aws.handlers(), { stateMachineArn: STATE_MACHINE })
  const athena = new FakeAthena(opts.answers, {
    writeResult: async (location, csv) => {
      await services!.store.putBytes(location.replace(`s3://${s3.bucket}/`, ''), csv)
    },
  })
  const glue = glueOverFakeAws(aws)
  services = createAwsServices(config, awsConfig, log, { s3: s3.client, glueFor: () => glue, athenaFor: () => athena, sfn })
  await services.recover()
  const { server, url } = await serveOnFreePort(createGatewayApp(services))
  return {
    url,
    s3,
    aws,
    athena,
    sfn,
    services,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await services!.close()
      await s3.close()
    },
  }
}

/** One prepare Job, as its container runs it, in this process: DuckDB of its own, a scratch folder removed after. */
async function runPrepareInProcess(services: AwsServices, glue: GlueApi, step: string, env: Record<string, string>): Promise<void> {
  const job = prepareJobFrom(['ingest', step], env)
  const scratch = await mkdtemp(join(tmpdir(), 'csvlake-job-'))
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '512MB', temp_directory: join(scratch, 'duckdb') })
  try {
    const { maxUploadBytes } = job.names.prepare
    await runPrepareStep({ store: services.store, glue, catalog: services.catalog, ingest: new DuckDbIngest(instance, 1), scratch, limits: { maxUploadBytes } }, job)
  } finally {
    instance.closeSync()
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * The Glue calls GlueCatalog makes, over the tables FakeAws keeps for the state machine's Glue
 * tasks: one catalog for both, as in an account. Errors named as the SDK names them (FakeAws
 * names them as Step Functions does, `Glue.EntityNotFoundException`).
 */
function glueOverFakeAws(aws: FakeAws): GlueApi {
  const handlers = aws.handlers()
  const sdkNamed = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call()
    } catch (err) {
      const name = err instanceof Error ? err.name.replace(/^Glue\./, '') : ''
      if (name === 'EntityNotFoundException' || name === 'AlreadyExistsException' || name === 'ConcurrentModificationException') {
        throw new FakeGlueError(name, err instanceof Error ? err.message : name)
      }
      throw err
    }
  }
  const missing = (what: string) => new FakeGlueError('EntityNotFoundException', `${what} not found.`)
  return {
    createDatabase: (input) => sdkNamed(() => handlers.CreateDatabase!(input)),
    async getTable(input) {
      const table = aws.tables.get(`${input.DatabaseName}.${input.Name}`)
      if (!table) throw missing(`Table ${input.Name}`)
      return { Table: structuredClone(table) as GlueTable }
    },
    async getTables(input) {
      if (!aws.databases.has(input.DatabaseName)) throw missing(`Database ${input.DatabaseName}`)
      return { TableList: [...aws.tables.values()].filter((t) => t.DatabaseName === input.DatabaseName).map((t) => structuredClone(t) as GlueTable) }
    },
    createTable: (input) => sdkNamed(() => handlers.CreateTable!(input)),
    updateTable: (input) => sdkNamed(() => handlers.ReplaceTable!(input)),
    deleteTable: (input) => sdkNamed(() => handlers.DeleteParquetTable!(input)),
    getTableVersions: async (input) => sdkNamed(async () => ({ TableVersions: aws.tableVersions(input.DatabaseName, input.TableName) as { Table: GlueTable; VersionId: string }[] })),
    batchDeleteTableVersion: async (input) => sdkNamed(async () => aws.deleteTableVersions(input.DatabaseName, input.TableName, input.VersionIds)),
  }
}
