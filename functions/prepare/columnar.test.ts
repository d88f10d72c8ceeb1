import { DuckDBInstance } from '@duckdb/node-api'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeGlue } from '../core/adapters/fake/fake-glue.ts'
import { GlueCatalog } from '../core/adapters/aws/glue-catalog.ts'
import { S3ObjectStore } from '../core/adapters/aws/s3-object-store.ts'
import { DuckDbIngest } from '../core/adapters/local/duckdb-ingest.ts'
import { parquetBytes, SAMPLE_PARQUET_SQL } from '../core/adapters/local/parquet-fixture.ts'
import { profileKeyOf } from '../core/ingest/column-profile.ts'
import { tenantDatabase } from '../core/tenant.ts'
import { glueOverHttp } from '../testing/glue-over-http.ts'
import { givenPreparedJob } from '../testing/prepared-job.ts'
import { startS3rver, type RunningS3rver } from '../testing/s3rver.ts'
import { prepareJobFrom } from './job.ts'
import { runPrepareStep, type PrepareDeps } from './prepare.ts'

/**
 * The prepare image's `ingest columnar` step (the state machine's ConvertColumnar on AWS) against
 * s3rver (a real S3-compatible server over HTTP) and Glue's protocol answered by FakeGlue.
 */

let s3: RunningS3rver
let glueServer: { server: Server; endpoint: string }
let fakeGlue: FakeGlue
let store: S3ObjectStore
let scratchRoot: string
let n = 0

beforeAll(async () => {
  s3 = await startS3rver('csvlake-prepare-columnar')
  fakeGlue = new FakeGlue()
  glueServer = await glueOverHttp(fakeGlue)
  store = new S3ObjectStore({ s3: s3.client, bucket: s3.bucket })
  scratchRoot = await mkdtemp(join(tmpdir(), 'csvlake-columnar-test-'))
}, 60_000)

afterAll(async () => {
  await new Promise<void>((done) => glueServer?.server.close(() => done()))
  await s3?.close()
  await rm(scratchRoot, { recursive: true, force: true })
})

async function runColumnar(raw: Uint8Array) {
  const { env, names } = await givenPreparedJob({ store, glue: fakeGlue, bucket: s3.bucket }, `col${++n}`, raw, { format: 'parquet' })
  const job = prepareJobFrom(['ingest', 'columnar'], env)
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '512MB' })
  const scratch = await mkdtemp(join(scratchRoot, 'run-'))
  const deps: PrepareDeps = {
    store,
    glue: fakeGlue,
    catalog: new GlueCatalog({ glueFor: () => fakeGlue, bucket: s3.bucket, databaseOf: (t) => tenantDatabase(t) }),
    ingest: new DuckDbIngest(instance, 1),
    scratch,
    limits: { maxUploadBytes: job.names.prepare.maxUploadBytes },
  }
  try {
    return { names, report: await runPrepareStep(deps, job).catch((err: unknown) => err as Error) }
  } finally {
    instance.closeSync()
    await rm(scratch, { recursive: true, force: true })
  }
}

const json = async (key: string) => JSON.parse(Buffer.from((await store.getBytes(key))!).toString('utf8'))

describe('prepare: ingest columnar (ConvertColumnar on AWS, against s3rver)', () => {
  it('accepts `ingest columnar` as a step, and still refuses an unknown one', () => {
    expect(() => prepareJobFrom(['ingest', 'parquet'], {})).toThrow(/stage\|convert\|columnar/)
  })

  it('writes the part with the Parquet types, its profile beside it and the outcome, from the upload in the bucket', async () => {
    const { names, report } = await runColumnar(await parquetBytes(SAMPLE_PARQUET_SQL))
    expect(report).toMatchObject({ step: 'columnar', outcome: { rowsRead: 3, rowsLoaded: 3, rowsRejected: 0 } })
    const outcome = await json(names.outcomeKey)
    expect(outcome.columns).toEqual([
      { Name: 'id', Type: 'int' },
      { Name: 'score', Type: 'double' },
      { Name: 'day', Type: 'date' },
      { Name: 'seen_at', Type: 'timestamp' },
      { Name: 'name', Type: 'string' },
      { Name: 'total', Type: 'bigint' },
    ])
    expect(await json(profileKeyOf(names.partKey))).toMatchObject({ rows: 3 })
    const file = join(scratchRoot, 'part.parquet')
    await writeFile(file, (await store.getBytes(names.partKey))!)
    const instance = await DuckDBInstance.create(':memory:')
    try {
      const conn = await instance.connect()
      const rows = (await conn.runAndReadAll(`SELECT id, name, total FROM read_parquet('${file}') ORDER BY id`)).getRowObjectsJson()
      conn.closeSync()
      expect(rows).toEqual([
        { id: 1, name: 'Ada', total: '10' },
        { id: 2, name: null, total: '20' },
        { id: 3, name: 'Grace', total: null },
      ])
    } finally {
      instance.closeSync()
    }
  })

  it('fails on a type Athena cannot read, writing the cause (column and type) where ReadConversionError reads it, and no part', async () => {
    const { names, report } = await runColumnar(await parquetBytes("SELECT 1 AS id, INTERVAL 2 DAY AS wait"))
    expect(report).toBeInstanceOf(Error)
    expect(await json(names.outcomeKey)).toEqual({ code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/column "wait" is FIXED_LEN_BYTE_ARRAY \(INTERVAL\): Athena cannot read Parquet intervals/) })
    expect(await store.size(names.partKey)).toBeUndefined()
  })
})
