import type { S3Client } from '@aws-sdk/client-s3'
import type { Server } from 'node:http'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { glueClient, s3Client } from '../functions/core/adapters/aws/aws-clients.ts'
import { loadAwsClientConfig } from '../functions/core/adapters/aws/aws-config.ts'
import { S3ObjectStore } from '../functions/core/adapters/aws/s3-object-store.ts'
import { FakeGlue } from '../functions/core/adapters/fake/fake-glue.ts'
import { parquetBytes } from '../functions/core/adapters/local/parquet-fixture.ts'
import { createLogger } from '../functions/core/logger.ts'
import { prepareMain } from '../functions/prepare/prepare-main.ts'
import { evaluatePolicy } from '../functions/testing/iam-policy-eval.ts'
import { glueOverHttp } from '../functions/testing/glue-over-http.ts'
import { givenPreparedJob, type PreparedJobOptions } from '../functions/testing/prepared-job.ts'
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from '../functions/testing/s3rver.ts'
import { loadConfiguration, statementsOf, type Block, type Statement } from './hcl.ts'
import { iamActionsOf, type Service } from './iam-actions.ts'

/**
 * The prepare Jobs' role (infra/modules/access, `prepare`) is written by hand: the program is not
 * one of the aws adapters the other roles are derived from. Here it is checked against what the
 * program does: it runs (in process, its S3 and Glue clients watched, against s3rver and Glue's
 * protocol over HTTP answered by FakeGlue) through every path - staging a plain and a gzipped
 * upload under a quota, converting for a new table and for an append, a failed conversion, and the
 * columnar branch (a Parquet upload: a new table, an append, a refused type) - and
 * every call it made is evaluated against the policy with csvlake's own evaluator of IAM's
 * grammar (not IAM). Both ways: no call is refused, and no action is allowed that no call needs.
 */

const REGION = 'eu-west-1'
const ACCOUNT = '123456789012'
const NAME = 'csvlake'

type Call = { service: Service; operation: string; input: Record<string, unknown> }

let s3: RunningS3rver
let glueHttp: { server: Server; endpoint: string }
let fake: FakeGlue
const calls: Call[] = []

/** Records every command a client sends, before it is sent. */
function watch(client: S3Client | { middlewareStack: S3Client['middlewareStack'] }, service: Service) {
  ;(client.middlewareStack as S3Client['middlewareStack']).add(
    (next, context) => async (args) => {
      calls.push({ service, operation: String(context.commandName).replace(/Command$/, ''), input: args.input as Record<string, unknown> })
      return next(args)
    },
    { step: 'initialize', name: 'csvlakeRecordCalls' },
  )
}

beforeAll(async () => {
  s3 = await startS3rver('csvlake-prepare-role')
  fake = new FakeGlue()
  glueHttp = await glueOverHttp(fake)
  const config = loadAwsClientConfig({ AWS_REGION: REGION, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_GLUE: glueHttp.endpoint }, 'the test')
  const clients = { s3: s3Client(config, { credentials: S3RVER_CREDENTIALS }), glue: glueClient(config, { credentials: S3RVER_CREDENTIALS }) }
  watch(clients.s3, 's3')
  watch(clients.glue as unknown as S3Client, 'glue')
  const store = new S3ObjectStore({ s3: s3.client, bucket: s3.bucket })
  const log = createLogger({ quiet: true })
  let n = 0
  const job = async (raw: string | Uint8Array, opts: PreparedJobOptions, expected: [number, number]) => {
    const { env } = await givenPreparedJob({ store, glue: fake, bucket: s3.bucket }, `role${++n}`, typeof raw === 'string' ? Buffer.from(raw) : raw, opts)
    const jobEnv = { ...env, AWS_REGION: REGION, TMPDIR: join(s3.directory, '..', 'prepare-scratch') }
    expect(await prepareMain(['ingest', 'stage'], jobEnv, log, clients)).toBe(expected[0])
    if (expected[0] === 0) expect(await prepareMain(['ingest', 'convert'], jobEnv, log, clients)).toBe(expected[1])
  }
  await job('id,name,price\n1,a,1.5\n', {}, [0, 0])
  await job(gzipSync('id,name,price\n1,a,1.5\n'), { dialect: { compression: 'gzip' }, quotaBytes: 1024 * 1024 * 1024, mode: 'append' }, [0, 0])
  await job('id,name,price\n1,a,1.5,extra\n', {}, [0, 1])
  // The columnar branch (a Parquet upload): a new table, an append, and a type Athena cannot read.
  const columnar = async (sql: string, opts: PreparedJobOptions, expected: number) => {
    const { env } = await givenPreparedJob({ store, glue: fake, bucket: s3.bucket }, `role${++n}`, await parquetBytes(sql), { ...opts, format: 'parquet' })
    expect(await prepareMain(['ingest', 'columnar'], { ...env, AWS_REGION: REGION, TMPDIR: join(s3.directory, '..', 'prepare-scratch') }, log, clients)).toBe(expected)
  }
  await columnar('SELECT 1::BIGINT AS id, \'a\' AS name, 1.5::DOUBLE AS price', {}, 0)
  await columnar('SELECT 2::BIGINT AS id, \'b\' AS name, 2.5::DOUBLE AS price', { mode: 'append' }, 0)
  await columnar("SELECT TIME '08:00:00' AS opens", {}, 1)
  clients.s3.destroy()
}, 120_000)

afterAll(async () => {
  await new Promise<void>((done) => glueHttp?.server.close(() => done()))
  await s3?.close()
})

/** The HCL policy document as IAM JSON, its references replaced by this account's values. */
async function preparePolicy(bucket: string): Promise<string> {
  const modules = await loadConfiguration(join(import.meta.dirname))
  const access = modules.get(join(import.meta.dirname, 'modules', 'access'))!
  const doc = access.data.aws_iam_policy_document!.prepare as Block
  const resolve = (text: string) =>
    text
      .replaceAll('${var.bucket_arn}', `arn:aws:s3:::${bucket}`)
      .replaceAll('${local.glue}', `arn:aws:glue:${REGION}:${ACCOUNT}`)
      .replaceAll('${var.name}', NAME)
  const statements = statementsOf(doc).map((s: Statement) => {
    if (s.not_actions || s.principals || s.condition) throw new Error('the prepare policy uses more of IAM than this check reads')
    return { Effect: (s.effect ?? 'Allow') as 'Allow' | 'Deny', Action: s.actions ?? [], Resource: (s.resources ?? []).map(resolve) }
  })
  for (const s of statements) for (const r of s.Resource) if (r.includes('${')) throw new Error(`unresolved reference in ${r}`)
  return JSON.stringify({ Version: '2012-10-17', Statement: statements })
}

/** The resources one call acts on, as IAM names them (Glue's GetTable needs the catalog, the database and the table). */
function resourcesOf(call: Call, bucket: string): string[] {
  if (call.service === 's3') {
    const key = call.input.Key as string | undefined
    return [key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`]
  }
  const glue = `arn:aws:glue:${REGION}:${ACCOUNT}`
  const database = String(call.input.DatabaseName)
  return [`${glue}:catalog`, `${glue}:database/${database}`, `${glue}:table/${database}/${String(call.input.Name)}`]
}

describe("the prepare Jobs' role (written by hand) against every call the prepare program made (our IAM evaluator, not IAM)", () => {
  it('ran stage, convert and columnar, a gzip under a quota, appends and failed conversions, calling S3 and Glue', () => {
    const operations = new Set(calls.map((c) => `${c.service}:${c.operation}`))
    expect([...operations]).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:ListObjectsV2', 'glue:GetTable']))
  })

  it('allows every call the program made, on the resource it named', async () => {
    const policy = await preparePolicy(s3.bucket)
    const refused = calls.flatMap((call) =>
      iamActionsOf(call.service, call.operation).flatMap((action) =>
        resourcesOf(call, s3.bucket)
          .filter((resource) => evaluatePolicy(policy, { action, resource }) !== 'allow')
          .map((resource) => `${action} on ${resource}`),
      ),
    )
    expect([...new Set(refused)]).toEqual([])
  })

  it('allows no action that no call needed (AbortMultipartUpload is what lib-storage calls when a multipart upload fails)', async () => {
    const used = new Set(calls.flatMap((call) => iamActionsOf(call.service, call.operation)))
    if (used.has('s3:PutObject')) used.add('s3:AbortMultipartUpload')
    const policy = JSON.parse(await preparePolicy(s3.bucket)) as { Statement: { Action: string[] }[] }
    const allowed = new Set(policy.Statement.flatMap((s) => s.Action))
    expect([...allowed].filter((action) => !used.has(action)).sort()).toEqual([])
  })
})
