import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parquetBytes, SAMPLE_PARQUET_SQL } from '../core/adapters/local/parquet-fixture.ts'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

type Job = {
  status: string
  steps: { name: string; status: string }[]
  table: { name: string; rowCount?: number; columns?: { name: string; type: string }[] }
  error?: { code: string; message: string }
}

async function uploadParquet(name: string, sql: string): Promise<string> {
  const res = await upload(server.url, name, await parquetBytes(sql), 'application/octet-stream')
  expect(res.status).toBe(201)
  return (await res.json()).fileId
}

async function submit(body: Record<string, unknown>): Promise<Job> {
  const res = await postJson(server.url, '/api/submit', body)
  expect(res.status).toBe(202)
  return (await waitForJob(server.url, (await res.json()).jobId)) as unknown as Job
}

async function query(sql: string) {
  const res = await postJson(server.url, '/api/query', { sql, waitMs: 10_000 })
  expect(res.status).toBe(200)
  const body = (await res.json()) as { columns: { name: string }[]; rows: unknown[][] }
  // Rows as objects by column name, for readable expectations.
  return { rows: body.rows.map((row) => Object.fromEntries(body.columns.map((c, i) => [c.name, row[i]]))) }
}

describe('loading a Parquet file (the columnar branch)', () => {
  it('upload, preview, submit: the job takes the columnar branch and the table has the Parquet types and answers SQL', async () => {
    const fileId = await uploadParquet('people.parquet', SAMPLE_PARQUET_SQL)
    const preview = await (await fetch(`${server.url}/api/preview?fileId=${fileId}`)).json()
    const job = await submit({ fileId })
    expect(job.status).toBe('SUCCEEDED')
    const steps = job.steps.map((s) => s.name)
    expect(steps.slice(0, 2)).toEqual(['ChooseFormat', 'ConvertColumnar'])
    expect(steps).not.toContain('StageFile')
    expect(steps).not.toContain('StartCrawler')
    expect(steps).toEqual(expect.arrayContaining(['ReadConversion', 'CreateTable', 'TableRegistered', 'IngestSucceeded']))
    expect(job.steps.filter((s) => s.status !== 'SUCCEEDED')).toEqual([])
    const columns = [
      { name: 'id', type: 'int' },
      { name: 'score', type: 'double' },
      { name: 'day', type: 'date' },
      { name: 'seen_at', type: 'timestamp' },
      { name: 'name', type: 'string' },
      { name: 'total', type: 'bigint' },
    ]
    expect(job.table).toMatchObject({ name: 'people', rowCount: 3, columns })
    // What the preview showed is what the table got.
    expect(preview.columns.map((c: { name: string; type: string }) => ({ name: c.name, type: c.type }))).toEqual(columns)
    // The part's column profile is written beside it, as for a CSV's part.
    const parts = (await readdir(join(server.dataDir, 'lake/local/people'), { recursive: true })).map(String)
    expect(parts.filter((f) => f.endsWith('_profile.json'))).toHaveLength(1)
    const tables = await (await fetch(`${server.url}/api/tables`)).json()
    expect(tables.tables.find((t: { name: string }) => t.name === 'people').columns).toEqual(columns)
    const answer = await query('SELECT id, score, day, name, total FROM people ORDER BY id')
    expect(answer.rows).toHaveLength(3)
    expect(answer.rows[2]).toMatchObject({ id: 3, name: 'Grace', day: null, total: null })
    const sums = await query('SELECT sum(total) AS total, count(name) AS named FROM people')
    expect(sums.rows[0]).toMatchObject({ named: 2 })
    expect(Number(sums.rows[0]!.total)).toBe(30)
  })

  it('appends a Parquet file whose columns fit, and fails one whose columns do not, naming them', async () => {
    const first = await uploadParquet('metrics.parquet', 'SELECT 1::BIGINT AS k, 1.5::DOUBLE AS v')
    expect((await submit({ fileId: first })).status).toBe('SUCCEEDED')
    const more = await uploadParquet('metrics2.parquet', 'SELECT 2::BIGINT AS k, 2.5::DOUBLE AS v UNION ALL SELECT 3, 3.5')
    expect(await submit({ fileId: more, table: 'metrics', mode: 'append' })).toMatchObject({ status: 'SUCCEEDED', table: { rowCount: 3 } })
    const wrong = await uploadParquet('metrics3.parquet', "SELECT 4::BIGINT AS k, DATE '2024-01-01' AS v")
    const failed = await submit({ fileId: wrong, table: 'metrics', mode: 'append' })
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'SCHEMA_MISMATCH', message: expect.stringMatching(/column v is double in the table but date in the file/) } })
    const renamed = await uploadParquet('metrics4.parquet', 'SELECT 4::BIGINT AS key, 1.0::DOUBLE AS v')
    const refused = await postJson(server.url, '/api/submit', { fileId: renamed, table: 'metrics', mode: 'append' })
    expect(refused.status).toBe(409)
    expect((await query('SELECT count(*) AS n FROM metrics')).rows[0]).toMatchObject({ n: 3 })
  })

  it('replaces a table with a Parquet file, its types replacing the old ones', async () => {
    const csv = await (await upload(server.url, 'swap.csv', 'a,b\nx,y\n')).json()
    expect((await submit({ fileId: csv.fileId })).status).toBe('SUCCEEDED')
    const parquet = await uploadParquet('swap.parquet', 'SELECT 7::SMALLINT AS a, true AS b')
    expect(await submit({ fileId: parquet, table: 'swap', mode: 'replace' })).toMatchObject({ status: 'SUCCEEDED', table: { rowCount: 1, columns: [{ name: 'a', type: 'smallint' }, { name: 'b', type: 'boolean' }] } })
    expect((await query('SELECT a, b FROM swap')).rows).toEqual([{ a: 7, b: true }])
  })

  it('fails a file with a type Athena cannot read, naming the column and its type, and keeps no table', async () => {
    const fileId = await uploadParquet('clock.parquet', "SELECT 1 AS id, TIME '08:30:00' AS opens_at")
    const job = await submit({ fileId })
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ code: 'UNSUPPORTED_TYPE', message: expect.stringMatching(/column "opens_at" is INT64 \(TIME, MICROS.*\): Athena has no time-of-day column type/) })
    expect((await (await fetch(`${server.url}/api/tables`)).json()).tables.map((t: { name: string }) => t.name)).not.toContain('clock')
  })

  it('widens what Athena has no type for, and names columns as a CSV header is named', async () => {
    const fileId = await uploadParquet(
      'wide.parquet',
      `SELECT 200::UTINYINT AS " Small ", 4000000000::UINTEGER AS "small", 18446744073709551615::UBIGINT AS "big number",
              TIMESTAMPTZ '2024-05-01 10:00:00+02' AS at_zone, '5f2b6a1e-8c1d-4f7a-9a55-0e3c2b1d4a6f'::UUID AS uid,
              123.45::DECIMAL(10,2) AS price, TIMESTAMP_NS '2024-05-01 08:30:00.123456789' AS at_ns, 'x'::BLOB AS raw`,
    )
    const job = await submit({ fileId, table: 'wide' })
    expect(job.status).toBe('SUCCEEDED')
    expect(job.table.columns).toEqual([
      { name: 'Small', type: 'smallint' },
      { name: 'small_2', type: 'bigint' },
      { name: 'big number', type: 'decimal(20,0)' },
      { name: 'at_zone', type: 'timestamp' },
      { name: 'uid', type: 'string' },
      { name: 'price', type: 'decimal(10,2)' },
      { name: 'at_ns', type: 'timestamp' },
      { name: 'raw', type: 'binary' },
    ])
    const row = (await query('SELECT "Small", small_2, CAST("big number" AS VARCHAR) AS big, CAST(at_zone AS VARCHAR) AS at_zone, uid, CAST(price AS VARCHAR) AS price FROM wide')).rows[0]
    expect(row).toEqual({ Small: 200, small_2: 4000000000, big: '18446744073709551615', at_zone: '2024-05-01 08:00:00', uid: '5f2b6a1e-8c1d-4f7a-9a55-0e3c2b1d4a6f', price: '123.45' })
  })

  it('answers 400 to a CSV dialect override on a Parquet file', async () => {
    const fileId = await uploadParquet('d.parquet', 'SELECT 1 AS a')
    const res = await postJson(server.url, '/api/submit', { fileId, dialect: { delimiter: ';' } })
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/Parquet/)
  })
})
