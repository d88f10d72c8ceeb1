import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  const rows = Array.from({ length: 2500 }, (_, i) => `${i + 1},name ${i + 1},${(i % 7) * 1.5}`).join('\n')
  const { fileId } = await (await upload(server.url, 'numbers.csv', `n,label,x\n${rows}\n`)).json()
  const submitted = await (await postJson(server.url, '/api/submit', { fileId })).json()
  const job = await waitForJob(server.url, submitted.jobId)
  expect(job.status).toBe('SUCCEEDED')
})
afterAll(() => server.close())

const run = (sql: string, extra: Record<string, unknown> = {}) => postJson(server.url, '/api/query', { sql, waitMs: 10_000, ...extra })

describe('POST /api/query and paging', () => {
  it('pages a 2500-row result in pages of at most 1000 with nextToken and reports the total', async () => {
    const res = await run('SELECT n FROM numbers ORDER BY n')
    expect(res.status).toBe(200)
    const first = await res.json()
    expect(first).toMatchObject({ status: 'SUCCEEDED', rowCount: 2500, offset: 0, columns: [{ name: 'n', type: 'bigint' }] })
    expect(first.rows).toHaveLength(1000)
    const seen: number[] = first.rows.map((r: number[]) => r[0])
    let token = first.nextToken
    while (token) {
      const page = await (await fetch(`${server.url}/api/query/${first.queryId}?nextToken=${encodeURIComponent(token)}`)).json()
      seen.push(...page.rows.map((r: number[]) => r[0]))
      token = page.nextToken
    }
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1))
  })

  it('exports the whole result as CSV, not just the first page', async () => {
    const { queryId } = await (await run('SELECT n, label FROM numbers ORDER BY n')).json()
    const res = await fetch(`${server.url}/api/query/${queryId}/results.csv`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/csv/)
    const lines = (await res.text()).trim().split('\n')
    expect(lines).toHaveLength(2501)
    expect(lines[0]).toBe('n,label')
    expect(lines[2500]).toBe('2500,name 2500')
  })

  it('exports a result of one page (kept in memory, not Parquet) as CSV too', async () => {
    const { queryId } = await (await run("SELECT 29.75 AS total, 'a, b' AS label")).json()
    const res = await fetch(`${server.url}/api/query/${queryId}/results.csv`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('total,label\n29.75,"a, b"\n')
  })

  it('answers the same SQL again from the earlier result, saying so, unless asked to run it', async () => {
    const sql = 'SELECT count(*) AS n, max(x) AS top FROM numbers'
    const first = await (await run(sql)).json()
    expect(first.reusedFrom).toBeUndefined()
    const again = await (await run(sql)).json()
    expect(again).toMatchObject({ status: 'SUCCEEDED', reusedFrom: first.queryId, rows: first.rows, columns: first.columns })
    expect(again.queryId).not.toBe(first.queryId)
    const fresh = await (await run(sql, { reuse: false })).json()
    expect(fresh).toMatchObject({ status: 'SUCCEEDED', rows: first.rows })
    expect(fresh.reusedFrom).toBeUndefined()
  })

  it('answers 202 for a query still running, and cancel turns it CANCELLED', async () => {
    const res = await postJson(server.url, '/api/query', {
      sql: 'SELECT count(*) FROM range(100000000000) a',
      waitMs: 100,
    })
    expect(res.status).toBe(202)
    const { queryId, status } = await res.json()
    expect(status).toBe('RUNNING')
    const cancelled = await fetch(`${server.url}/api/query/${queryId}`, { method: 'DELETE' })
    expect(cancelled.status).toBe(200)
    expect((await cancelled.json()).status).toBe('CANCELLED')
    expect((await (await fetch(`${server.url}/api/query/${queryId}`)).json()).status).toBe('CANCELLED')
  })

  it('answers a SQL error with 400, the engine message, and its line and column', async () => {
    const res = await run('SELECT n\nFROM numbers\nWHERE nope > 1')
    expect(res.status).toBe(400)
    const { error } = await res.json()
    expect(error.code).toBe('SQL_ERROR')
    expect(error.message).toMatch(/nope/)
    expect(error.line).toBe(3)
    expect(error.column).toBeGreaterThan(0)
  })

  it('answers 404 for an unknown query and 400 for a forged page token', async () => {
    expect((await fetch(`${server.url}/api/query/q_${'1'.repeat(32)}`)).status).toBe(404)
    const { queryId } = await (await run('SELECT 1')).json()
    expect((await fetch(`${server.url}/api/query/${queryId}?nextToken=garbage`)).status).toBe(400)
  })

  it('answers 400 for a page token whose engine part was forged, and for one too long to be ours', async () => {
    const first = await (await run('SELECT range AS n FROM range(2500)')).json()
    const forged = Buffer.from('o:1000:not-a-row').toString('base64url')
    const res = await fetch(`${server.url}/api/query/${first.queryId}?nextToken=${forged}`)
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/nextToken/)
    const long = Buffer.from(`o:1000:${'x'.repeat(1200)}`).toString('base64url')
    expect((await fetch(`${server.url}/api/query/${first.queryId}?nextToken=${long}`)).status).toBe(400)
  })

  it('refuses malformed bodies with 400', async () => {
    expect((await postJson(server.url, '/api/query', { sql: '' })).status).toBe(400)
    expect((await postJson(server.url, '/api/query', { query: 'SELECT 1' })).status).toBe(400)
    const badReuse = await postJson(server.url, '/api/query', { sql: 'SELECT 1', reuse: 'yes' })
    expect(badReuse.status).toBe(400)
    expect((await badReuse.json()).error).toMatchObject({ field: 'reuse', message: expect.stringMatching(/^reuse: .*boolean/) })
    const badPage = await fetch(`${server.url}/api/query/q_00000000000000000000000000000000?maxResults=lots`)
    expect(badPage.status).toBe(400)
    expect((await badPage.json()).error).toMatchObject({ field: 'maxResults' })
    const notJson = await fetch(`${server.url}/api/query`, { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } })
    expect(notJson.status).toBe(400)
    expect((await notJson.json()).error.message).toMatch(/not valid JSON/)
  })

  it('refuses a body that is not JSON with 415, and an oversized body with 413 before reading it whole', async () => {
    const text = await fetch(`${server.url}/api/query`, { method: 'POST', body: 'SELECT 1', headers: { 'content-type': 'text/plain' } })
    expect(text.status).toBe(415)
    expect((await text.json()).error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/application\/json/) })
    const huge = await postJson(server.url, '/api/query', { sql: `SELECT '${'x'.repeat(2 * 1024 * 1024)}'` })
    expect(huge.status).toBe(413)
    expect((await huge.json()).error.code).toBe('PAYLOAD_TOO_LARGE')
  })
})

describe('the SQL sandbox over HTTP', () => {
  it.each([
    ["SELECT * FROM read_csv('/etc/passwd')"],
    ["SELECT * FROM '/etc/passwd'"],
    ["COPY (SELECT 1) TO '/tmp/csvlake-escape.csv'"],
    ["ATTACH '/tmp/x.db' AS x"],
    ['INSTALL httpfs'],
    ['LOAD httpfs'],
    ["SET memory_limit = '100GB'"],
    ["PRAGMA enable_external_access"],
    ['SELECT 1; SELECT 2'],
    ['CREATE TABLE t AS SELECT 1'],
    ['DROP VIEW numbers'],
  ])('refuses %s with a 4xx and keeps answering', async (sql) => {
    const res = await run(sql)
    expect([400, 403]).toContain(res.status)
    expect((await res.json()).error.message.length).toBeGreaterThan(0)
    const ok = await run('SELECT count(*) FROM numbers')
    expect((await ok.json()).rows).toEqual([[2500]])
  })
})

describe('tables', () => {
  it('drops a table: it leaves the list and queries no longer see it, while the upload stays', async () => {
    const { fileId } = await (await upload(server.url, 'doomed.csv', 'a\n1\n')).json()
    const job = await waitForJob(server.url, (await (await postJson(server.url, '/api/submit', { fileId })).json()).jobId)
    expect(job.status).toBe('SUCCEEDED')
    expect((await fetch(`${server.url}/api/tables/doomed`, { method: 'DELETE' })).status).toBe(200)
    const tables = await (await fetch(`${server.url}/api/tables`)).json()
    expect(tables.tables.map((t: { name: string }) => t.name)).not.toContain('doomed')
    expect((await run('SELECT * FROM doomed')).status).toBe(400)
    const files = await (await fetch(`${server.url}/api/files`)).json()
    expect(files.files.map((f: { fileId: string }) => f.fileId)).toContain(fileId)
    expect((await fetch(`${server.url}/api/tables/doomed`, { method: 'DELETE' })).status).toBe(404)
  })
})
