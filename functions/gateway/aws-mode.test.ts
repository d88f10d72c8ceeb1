import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ScriptedAnswer } from '../core/adapters/fake/fake-athena.ts'
import { tenantOf } from '../core/http/jwt-auth.ts'
import { parquetBytes, SAMPLE_PARQUET_SQL } from '../core/adapters/local/parquet-fixture.ts'
import { startAwsTestServer, type AwsTestServer } from '../testing/aws-test-server.ts'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

const PEOPLE = 'id,name\n1,Ada\n2,Grace\n'
const MANY = Array.from({ length: 2500 }, (_, i) => [String(i), `name ${i}`])

/** What Athena answers, by SQL text (FakeAthena: response shapes written from the Athena API reference). */
function answers(sql: string): ScriptedAnswer {
  if (/^SELEC /.test(sql)) return { fail: { reason: "line 1:1: mismatched input 'SELEC'. Expecting: 'ALTER', 'ANALYZE', 'CALL', 'SELECT'" } }
  if (/pg_sleep|slow/i.test(sql)) return { columns: [{ Name: 'n', Type: 'integer' }], rows: [['1']], runMs: 60_000 }
  if (/FROM many/i.test(sql)) return { columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'varchar' }], rows: MANY }
  return { columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'varchar' }], rows: [['1', 'Ada'], ['2', 'Grace']] }
}

let issuer: TestIssuer
let server: AwsTestServer
let alice: string
let bob: string
beforeAll(async () => {
  issuer = await startTestIssuer()
  // The crawler finds these columns; the prepare program stages and converts the real bytes (realJobs).
  server = await startAwsTestServer({ env: issuer.env(), answers, aws: { columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }] }, realJobs: true })
  alice = await issuer.sign({ sub: 'team-a' })
  bob = await issuer.sign({ sub: 'team_a' })
})
afterAll(async () => {
  await server?.close()
  await issuer?.close()
})

const call = (token: string, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body && typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}), ...init.headers } })
const post = (token: string, path: string, body: unknown) => call(token, path, { method: 'POST', body: JSON.stringify(body) })
async function uploadAs(token: string, name: string, content: string | Uint8Array) {
  const form = new FormData()
  form.append('file', new Blob([typeof content === 'string' ? content : Buffer.from(content)], { type: 'text/csv' }), name)
  return call(token, '/api/upload', { method: 'POST', body: form })
}
async function jobEnd(token: string, jobId: string) {
  for (let i = 0; i < 500; i++) {
    const job = await (await call(token, `/api/job-status?jobId=${jobId}`)).json()
    if (job.status !== 'RUNNING') return job
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`job ${jobId} still RUNNING`)
}

describe('the API in aws mode (S3 on s3rver over HTTP; Glue, Athena and Step Functions doubles written from the AWS API references)', () => {
  it('uploads into the bucket and previews from it', async () => {
    const up = await uploadAs(alice, 'people.csv', PEOPLE)
    expect(up.status).toBe(201)
    const { fileId } = await up.json()
    const keys = await collect(server.services.store.keys(`raw/${tenantOf('team-a')}/`))
    expect(keys.some((k) => k.includes(fileId))).toBe(true)
    const preview = await (await call(alice, `/api/preview?fileId=${fileId}`)).json()
    expect(preview.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'name'])
    expect(preview.rows).toEqual([{ id: '1', name: 'Ada' }, { id: '2', name: 'Grace' }])
  })

  it('submits a file, whose EKS Jobs (the prepare program) stage and convert it in the bucket; reports the steps from the execution history and lists the table from Glue', async () => {
    const { fileId } = await (await uploadAs(alice, 'people.csv', PEOPLE.replaceAll('\n', '\r\n'))).json()
    const submitted = await post(alice, '/api/submit', { fileId, table: 'people' })
    expect(submitted.status).toBe(202)
    const { jobId } = await submitted.json()
    const job = await jobEnd(alice, jobId)
    expect(job.status).toBe('SUCCEEDED')
    expect(job.executionArn).toContain(`:execution:csvlake-ingest:${jobId}`)
    const steps = (job.steps as { name: string; status: string }[]).map((s) => [s.name, s.status])
    expect(steps).toEqual(expect.arrayContaining([['StageFile', 'SUCCEEDED'], ['StartCrawler', 'SUCCEEDED'], ['ConvertToParquet', 'SUCCEEDED']]))
    // The outcome the conversion wrote in the bucket, read back by the state machine.
    expect(job.rows).toMatchObject({ read: 2, loaded: 2, rejected: 0 })
    expect(job.table).toMatchObject({ name: 'people', columns: [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }], rowCount: 2 })
    const t = tenantOf('team-a')
    const part = await server.services.store.getBytes(`lake/${t}/people/ingest_job=${jobId}/data.parquet`)
    expect(Buffer.from(part!.subarray(0, 4)).toString('latin1')).toBe('PAR1')
    expect(await collect(server.services.store.keys(`staging/${t}/${jobId}/`)), 'staged files removed').toEqual([])
    const tables = await (await call(alice, '/api/tables')).json()
    expect(tables.tables.map((t: { name: string }) => t.name)).toContain('people')
    // The column profile the prepare program wrote beside the part in the bucket, merged by the tables function.
    expect(await server.services.store.getBytes(`lake/${t}/people/ingest_job=${jobId}/_profile.json`)).toBeDefined()
    const table = await (await call(alice, '/api/tables/people')).json()
    expect(table).toMatchObject({ name: 'people', rowCount: 2, partial: false, profiledRows: 2 })
    expect(table.profile).toEqual([
      expect.objectContaining({ name: 'id', type: 'bigint', nulls: 0, distinct: 2, min: 1, max: 2 }),
      expect.objectContaining({ name: 'name', type: 'string', nulls: 0, distinct: 2, min: 'Ada', max: 'Grace' }),
    ])
    expect((await call(bob, '/api/tables/people')).status).toBe(404)
    // The other tenant has a database of its own, and sees nothing.
    expect((await (await call(bob, '/api/tables')).json()).tables).toEqual([])
    expect((await call(bob, `/api/job-status?jobId=${jobId}`)).status).toBe(404)
  })

  it('uploads a Parquet file, previews it from the bucket by ranged reads, and loads it down the columnar branch (the prepare program, `ingest columnar`)', async () => {
    const { fileId, format } = await (await uploadAs(alice, 'scores.parquet', await parquetBytes(SAMPLE_PARQUET_SQL))).json()
    expect(format).toBe('parquet')
    const preview = await (await call(alice, `/api/preview?fileId=${fileId}&limit=1`)).json()
    expect(preview).toMatchObject({ format: 'parquet', rowCount: 3, rows: [{ id: '1', name: 'Ada', day: '2024-05-01' }] })
    const { jobId } = await (await post(alice, '/api/submit', { fileId })).json()
    const job = await jobEnd(alice, jobId)
    expect(job.status).toBe('SUCCEEDED')
    const steps = (job.steps as { name: string }[]).map((s) => s.name)
    expect(steps.slice(0, 2)).toEqual(['ChooseFormat', 'ConvertColumnar'])
    expect(steps).not.toContain('StartCrawler')
    expect(steps).toEqual(expect.arrayContaining(['CheckParquet', 'CreateTable', 'IngestSucceeded']))
    expect(job.table).toMatchObject({ name: 'scores', rowCount: 3, columns: [{ name: 'id', type: 'int' }, { name: 'score', type: 'double' }, { name: 'day', type: 'date' }, { name: 'seen_at', type: 'timestamp' }, { name: 'name', type: 'string' }, { name: 'total', type: 'bigint' }] })
    const t = tenantOf('team-a')
    const part = await server.services.store.getBytes(`lake/${t}/scores/ingest_job=${jobId}/data.parquet`)
    expect(Buffer.from(part!.subarray(0, 4)).toString('latin1')).toBe('PAR1')
    expect(await collect(server.services.store.keys(`staging/${t}/${jobId}/`)), 'outcome removed').toEqual([])
  })

  it('fails a Parquet load with a type Athena cannot read, naming the column, and keeps no part', async () => {
    const { fileId } = await (await uploadAs(alice, 'clock.parquet', await parquetBytes("SELECT 1 AS id, TIME '08:30:00' AS opens_at"))).json()
    const { jobId } = await (await post(alice, '/api/submit', { fileId })).json()
    const job = await jobEnd(alice, jobId)
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/column "opens_at" is INT64 \(TIME/) })
    expect(await collect(server.services.store.keys(`lake/${tenantOf('team-a')}/clock/`))).toEqual([])
  })

  it("fails a job at the row that does not load, with the line the prepare program wrote, and keeps no part", async () => {
    const { fileId } = await (await uploadAs(alice, 'broken.csv', 'id,name\n1,Ada\n2,Grace,extra\n')).json()
    const { jobId } = await (await post(alice, '/api/submit', { fileId, table: 'broken' })).json()
    const job = await jobEnd(alice, jobId)
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ code: 'ROW_REJECTED', line: 3, message: expect.stringContaining('Expected Number of Columns: 2 Found: 3') })
    const t = tenantOf('team-a')
    expect(await collect(server.services.store.keys(`lake/${t}/broken/`))).toEqual([])
    expect(await collect(server.services.store.keys(`staging/${t}/${jobId}/`))).toEqual([])
  })

  it('answers a query with typed rows, pages forward, cancels, and points an Athena error at its line', async () => {
    const small = await (await post(alice, '/api/query', { sql: 'SELECT * FROM people', waitMs: 5000 })).json()
    expect(small).toMatchObject({ status: 'SUCCEEDED', rowCount: 2, rows: [[1, 'Ada'], [2, 'Grace']] })
    // Athena's own figures: what it scanned (and bills) and its engine time.
    expect(small.stats).toMatchObject({ elapsedMs: expect.any(Number), scannedBytes: 0, engineMs: expect.any(Number) })

    const many = await (await post(alice, '/api/query', { sql: 'SELECT * FROM many', waitMs: 5000 })).json()
    expect(many.status).toBe('SUCCEEDED')
    const seen: unknown[][] = [...many.rows]
    let next = many.nextToken as string | undefined
    while (next) {
      const page = await (await call(alice, `/api/query/${many.queryId}?nextToken=${encodeURIComponent(next)}`)).json()
      seen.push(...page.rows)
      next = page.nextToken
    }
    expect(seen).toHaveLength(2500)
    expect(seen[2499]).toEqual([2499, 'name 2499'])
    const csv = await (await call(alice, `/api/query/${many.queryId}/results.csv`)).text()
    expect(csv.trim().split('\n')).toHaveLength(2501)

    const bad = await post(alice, '/api/query', { sql: 'SELEC 1', waitMs: 5000 })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatchObject({ code: 'SQL_ERROR', line: 1, column: 1 })

    const drop = await post(alice, '/api/query', { sql: 'DROP TABLE people', waitMs: 5000 })
    expect(drop.status).toBe(403)
    expect(server.athena.calls.filter((c) => c === 'StartQueryExecution')).toHaveLength(3)

    const slow = await (await post(alice, '/api/query', { sql: 'SELECT slow', waitMs: 0 })).json()
    expect(slow.status).toBe('RUNNING')
    expect((await call(alice, `/api/query/${slow.queryId}`, { method: 'DELETE' })).status).toBeLessThan(300)
    const cancelled = await (await call(alice, `/api/query/${slow.queryId}?waitMs=2000`)).json()
    expect(cancelled.status).toBe('CANCELLED')
    // Another tenant cannot read it.
    expect((await call(bob, `/api/query/${many.queryId}`)).status).toBe(404)
  })

  it('lists and deletes files in the bucket, per tenant', async () => {
    const { fileId } = await (await uploadAs(bob, 'b.csv', PEOPLE)).json()
    const files = await (await call(bob, '/api/files')).json()
    expect(files.files.map((f: { fileId: string }) => f.fileId)).toEqual([fileId])
    expect((await call(alice, `/api/files/${fileId}`, { method: 'DELETE' })).status).toBe(404)
    expect((await call(bob, `/api/files/${fileId}`, { method: 'DELETE' })).status).toBeLessThan(300)
    expect((await (await call(bob, '/api/files')).json()).files).toEqual([])
    expect(await collect(server.services.store.keys(`raw/${tenantOf('team_a')}/${fileId}`))).toEqual([])
  })
})

async function collect(listing: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const key of listing) all.push(key)
  return all
}
