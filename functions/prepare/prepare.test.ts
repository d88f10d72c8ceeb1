import { DuckDBInstance } from '@duckdb/node-api'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeGlue } from '../core/adapters/fake/fake-glue.ts'
import { GlueCatalog } from '../core/adapters/aws/glue-catalog.ts'
import { S3ObjectStore } from '../core/adapters/aws/s3-object-store.ts'
import { DuckDbIngest } from '../core/adapters/local/duckdb-ingest.ts'
import { profileKeyOf, type PartProfile } from '../core/ingest/column-profile.ts'
import { keys } from '../core/keys.ts'
import { tenantDatabase, tenantId } from '../core/tenant.ts'
import { buildEntries } from '../testing/built-process.ts'
import { glueOverHttp } from '../testing/glue-over-http.ts'
import { givenPreparedJob, PREPARED_COLUMNS as COLUMNS, type PreparedJobOptions } from '../testing/prepared-job.ts'
import { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from '../testing/s3rver.ts'
import { prepareJobFrom } from './job.ts'
import { runPrepareStep, type PrepareDeps } from './prepare.ts'

/**
 * The prepare image's program - the ingest's StageFile and ConvertToParquet steps on AWS - against
 * s3rver (a real S3-compatible server over HTTP, objects on disk) and Glue's JSON protocol over
 * real HTTP answered by FakeGlue (written from the Glue API reference, not recorded). The Job's
 * environment is what the state machine gives it: CSVLAKE_NAMES is derived by executionInput, as
 * for an execution.
 */

const T = tenantId('acme')
const MiB = 1024 * 1024

let s3: RunningS3rver
let glueServer: { server: Server; endpoint: string }
let fakeGlue: FakeGlue
let store: S3ObjectStore
let built: { outdir: string; remove(): Promise<void> }
let scratchRoot: string
let n = 0

beforeAll(async () => {
  s3 = await startS3rver('csvlake-prepare')
  fakeGlue = new FakeGlue()
  glueServer = await glueOverHttp(fakeGlue)
  store = new S3ObjectStore({ s3: s3.client, bucket: s3.bucket })
  built = await buildEntries({ prepare: 'functions/prepare/main.ts' })
  scratchRoot = await mkdtemp(join(tmpdir(), 'csvlake-prepare-test-'))
}, 60_000)

afterAll(async () => {
  await new Promise<void>((done) => glueServer?.server.close(() => done()))
  await s3?.close()
  await built?.remove()
  await rm(scratchRoot, { recursive: true, force: true })
})

const givenJob = (raw: Uint8Array, opts: PreparedJobOptions = {}) => givenPreparedJob({ store, glue: fakeGlue, bucket: s3.bucket }, `prep${++n}`, raw, opts)

/** Runs the built program as the Job's container does; answers its exit code and what it logged. */
function runJob(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(built.outdir, 'prepare.mjs'), ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      TMPDIR: scratchRoot,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_GLUE: glueServer.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })))
}

/** In process, with the deps the program makes (for the cases that need no second process to show). */
async function runInProcess(step: 'stage' | 'convert', env: Record<string, string>) {
  const job = prepareJobFrom(['ingest', step], env)
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '512MB' })
  const scratch = await mkdtemp(join(scratchRoot, 'run-'))
  const glue = fakeGlue
  const deps: PrepareDeps = {
    store,
    glue,
    catalog: new GlueCatalog({ glueFor: () => glue, bucket: s3.bucket, databaseOf: (t) => tenantDatabase(t) }),
    ingest: new DuckDbIngest(instance, 1),
    scratch,
    limits: { maxUploadBytes: job.names.prepare.maxUploadBytes },
  }
  try {
    return await runPrepareStep(deps, job)
  } finally {
    instance.closeSync()
    await rm(scratch, { recursive: true, force: true })
  }
}

const text = async (key: string) => {
  const bytes = await store.getBytes(key)
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8')
}

/** The Parquet part's rows and column types, read by DuckDB from the bytes in the bucket. */
async function readPart(key: string) {
  const bytes = await store.getBytes(key)
  if (!bytes) throw new Error(`no part at ${key}`)
  const file = join(scratchRoot, `part-${++n}.parquet`)
  await writeFile(file, bytes)
  const instance = await DuckDBInstance.create(':memory:')
  try {
    const conn = await instance.connect()
    const types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson().map((r) => `${r.column_name} ${r.column_type}`)
    const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY id`)).getRowObjectsJson()
    conn.closeSync()
    return { types, rows }
  } finally {
    instance.closeSync()
  }
}

describe('the prepare program, run as the state machine runs its EKS Jobs (S3 on s3rver, Glue over HTTP answered by FakeGlue)', () => {
  it('stages a gzipped UTF-16 upload with a BOM and mixed line endings as plain UTF-8 with \\n, then converts it to a typed Parquet part and writes the outcome', async () => {
    const csv = 'id,name,price\r\n1,Zoë,2.5\n2,"Ünal\r\nand co",3\r\n3,Łukasz,4.25\n'
    const { names, env } = await givenJob(gzipSync(iconv.encode(csv, 'utf-16le', { addBOM: true })), { dialect: { encoding: 'utf-16le', compression: 'gzip', bom: true, lineEnding: '\r\n' } })

    const staged = await runJob(['ingest', 'stage'], env)
    expect(staged.output).toContain('"message":"prepare: done"')
    expect(staged.code).toBe(0)
    // Breaks inside the quoted value are data and stay; the rest become \n.
    expect(await text(names.stagedKey)).toBe('id,name,price\n1,Zoë,2.5\n2,"Ünal\r\nand co",3\n3,Łukasz,4.25\n')

    const converted = await runJob(['ingest', 'convert'], env)
    expect(converted.code).toBe(0)
    const outcome = JSON.parse((await text(names.outcomeKey))!)
    expect(outcome).toMatchObject({ columns: COLUMNS, rowsRead: 3, rowsLoaded: 3, rowsRejected: 0, rejected: [] })
    const part = await readPart(names.partKey)
    expect(part.types).toEqual(['id BIGINT', 'name VARCHAR', 'price DOUBLE'])
    expect(part.rows).toEqual([
      { id: '1', name: 'Zoë', price: 2.5 },
      { id: '2', name: 'Ünal\r\nand co', price: 3 },
      { id: '3', name: 'Łukasz', price: 4.25 },
    ])
    // The part's column profile, beside it in the bucket (Athena skips files named with `_`).
    const profile = JSON.parse((await text(profileKeyOf(names.partKey)))!) as PartProfile
    expect(profileKeyOf(names.partKey)).toMatch(/\/ingest_job=[^/]+\/_profile\.json$/)
    expect(profile.rows).toBe(3)
    expect(profile.columns).toEqual([
      expect.objectContaining({ name: 'id', type: 'bigint', nulls: 0, distinct: 3, min: 1, max: 3 }),
      expect.objectContaining({ name: 'name', type: 'string', nulls: 0, distinct: 3, min: 'Zoë', max: 'Łukasz' }),
      expect.objectContaining({ name: 'price', type: 'double', min: 2.5, max: 4.25 }),
    ])
  }, 60_000)

  it('fails a conversion at the first bad row, writing its line, column and value where ReadConversionError reads them, and no part', async () => {
    const { names, env } = await givenJob(Buffer.from('id,name,price\n1,a,1.5\n2,b,2,extra\n3,c,2\n'))
    expect((await runJob(['ingest', 'stage'], env)).code).toBe(0)
    const converted = await runJob(['ingest', 'convert'], env)
    expect(converted.code).toBe(1)
    expect(converted.output).toContain('"code":"ROW_REJECTED"')
    const cause = JSON.parse((await text(names.outcomeKey))!)
    expect(cause).toMatchObject({ code: 'ROW_REJECTED', line: 3, message: expect.stringContaining('Expected Number of Columns: 3 Found: 4') })
    expect(cause.message).not.toContain(scratchRoot)
    expect(await store.size(names.partKey)).toBeUndefined()
  }, 60_000)

  it('with onError skip, loads the good rows and counts and lists the bad one', async () => {
    const { names, env } = await givenJob(Buffer.from('id,name,price\n1,a,1.5\n2,b,2,extra\n3,c,2\n'), { onError: 'skip' })
    await runInProcess('stage', env)
    const report = await runInProcess('convert', env)
    expect(report.outcome).toEqual({ rowsRead: 3, rowsLoaded: 2, rowsRejected: 1 })
    const outcome = JSON.parse((await text(names.outcomeKey))!)
    expect(outcome.rejected).toEqual([expect.objectContaining({ line: 3 })])
    expect((await readPart(names.partKey)).rows.map((r) => r.id)).toEqual(['1', '3'])
  }, 60_000)

  it('types the columns from every row when a value does not fit the crawler\'s sampled type', async () => {
    // A crawler that sampled only integers for price; the conversion meets 2.5 and crawls again.
    const { names, env } = await givenJob(Buffer.from('id,name,price\n1,a,1\n2,b,2.5\n'), { columns: [COLUMNS[0]!, COLUMNS[1]!, { Name: 'price', Type: 'bigint' }] })
    await runInProcess('stage', env)
    await runInProcess('convert', env)
    const outcome = JSON.parse((await text(names.outcomeKey))!)
    // csvlake's own crawl of every row types it exactly (DuckDB rounded "2.5" into a BIGINT 3 before the guard).
    expect(outcome.columns).toContainEqual({ Name: 'price', Type: 'decimal(2,1)' })
    expect((await readPart(names.partKey)).rows.map((r) => String(r.price))).toEqual(['1.0', '2.5'])
  }, 60_000)

  it('refuses a .csv.gz that inflates past the upload bound, saying so where ReadStageError reads it, and stages nothing', async () => {
    const bomb = gzipSync(Buffer.alloc(3 * MiB, 'a,b,c\n'))
    const { names, env } = await givenJob(bomb, { dialect: { compression: 'gzip' }, maxUploadBytes: 1 * MiB })
    const staged = await runJob(['ingest', 'stage'], env)
    expect(staged.code).toBe(1)
    expect(JSON.parse((await text(names.outcomeKey))!)).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE', message: expect.stringContaining('1 MiB') })
    expect(await store.size(names.stagedKey)).toBeUndefined()
  }, 60_000)

  it('refuses to start with names that are not its own job\'s, and writes nothing (exit 2)', async () => {
    const { names, env } = await givenJob(Buffer.from('id,name,price\n1,a,1\n'))
    const other = { ...names, stagedKey: keys.staging(tenantId('other'), env.CSVLAKE_JOB_ID), outcomeKey: 'staging/other/x/outcome.json' }
    const run = await runJob(['ingest', 'stage'], { ...env, CSVLAKE_NAMES: JSON.stringify(other) })
    expect(run.code).toBe(2)
    expect(run.output).toContain('refusing to write outside')
    expect(await store.size(other.stagedKey)).toBeUndefined()
    expect(await store.size(names.stagedKey)).toBeUndefined()
    expect((await runJob(['ingest', 'crawl'], env)).output).toContain('usage: prepare ingest stage|convert')
  }, 60_000)

  it('fails a job with no record in the job index with a message saying so', async () => {
    const { names, env } = await givenJob(Buffer.from('id,name,price\n1,a,1\n'))
    await store.delete(keys.job(T, env.CSVLAKE_JOB_ID))
    await expect(runInProcess('stage', env)).rejects.toThrow()
    expect(JSON.parse((await text(names.outcomeKey))!)).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('has no record') })
  }, 60_000)
})
