import { readdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keys } from '../core/keys.ts'
import { LOCAL_TENANT } from '../core/tenant.ts'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../testing/test-server.ts'

// What a tenant's SQL may do, as a user meets it over HTTP: refusals (403) for what parses and is
// not a read, syntax errors (400, with where) for what does not parse.

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
  const { fileId } = await (await upload(server.url, 'numbers.csv', 'n,label,x\n1,one,1.5\n2,two,3\n3,three,4.5\n')).json()
  const job = await waitForJob(server.url, (await (await postJson(server.url, '/api/submit', { fileId })).json()).jobId)
  expect(job).toMatchObject({ status: 'SUCCEEDED' })
  // The first query opens the tenant's sandbox: not inside a test's answer.
  expect((await run('SELECT 1')).status).toBe(200)
})
afterAll(() => server.close())

const run = (sql: string) => postJson(server.url, '/api/query', { sql, waitMs: 10_000, reuse: false })

async function answer(sql: string) {
  const res = await run(sql)
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string; line?: number; column?: number }; rows?: unknown[][] } }
}

async function expectStillIntact() {
  const { status, body } = await answer('SELECT count(*) FROM numbers')
  expect(status).toBe(200)
  expect(body.rows).toEqual([[3]])
}

describe('built-in table macros that run a table name as SQL', () => {
  it.each([
    ["SELECT * FROM histogram_values('pg_'||'settings', name)", 'histogram_values'],
    ["SELECT * FROM histogram('pg_' || 'settings', name)", 'histogram'],
    ['SELECT * FROM "HISTOGRAM_VALUES"(\'pg_settings\', name, technique := \'sample\')', 'histogram_values'],
    ['SELECT * FROM system.main.histogram_values(\'pg_settings\', name)', 'histogram_values'],
    ["SUMMARIZE SELECT * FROM histogram_values('pg_'||'settings', name)", 'histogram_values'],
    ["EXPLAIN ANALYZE SELECT * FROM histogram_values('pg_'||'settings', name)", 'histogram_values'],
    ['SELECT * FROM duckdb_profiling_settings()', 'duckdb_profiling_settings'],
  ])('refuses %s with 403 FORBIDDEN naming %s', async (sql, name) => {
    const { status, body } = await answer(sql)
    expect(status).toBe(403)
    expect(body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining(`${name}()`) })
  })

  it('still runs the histogram aggregate, which reads only the column it is given', async () => {
    const { status, body } = await answer('SELECT histogram(n) AS h FROM numbers')
    expect(status).toBe(200)
    expect(body.rows).toHaveLength(1)
  })
})

describe('dollar-quoted strings with non-ASCII tags ($é$), read as DuckDB reads them', () => {
  const lake = () => join(server.dataDir, keys.lakeTenant(LOCAL_TENANT))

  it('runs a SELECT whose $é$ string holds what looks like a comment', async () => {
    const { status, body } = await answer('SELECT $é$ -- $é$ AS s')
    expect(status).toBe(200)
    expect(body.rows).toEqual([[' -- ']])
  })

  it('does not let EXPLAIN ANALYZE run a write hidden from the check by a $é$ string', async () => {
    // DuckDB reads: EXPLAIN (ANALYZE '<text>') COPY ... TO ... -- ; a lexer that does not know
    // $é$ sees EXPLAIN (ANALYZE $ é$) and then a SELECT with a quoted alias.
    const target = join(lake(), 'evil.csv')
    const sql = `EXPLAIN (ANALYZE $é$) SELECT 1 AS "$é$) COPY (SELECT 42) TO '${target}' --"`
    const { status, body } = await answer(sql)
    expect([400, 403]).toContain(status)
    expect(body.error?.message.length).toBeGreaterThan(0)
    expect(existsSync(target)).toBe(false)
  })

  it.each([
    'SELECT $é$x$é$; DROP VIEW numbers',
    'SELECT $é$ ; $é$ AS a; DROP VIEW numbers',
    "SELECT $é$x$é$; COPY numbers TO 'evil.csv'",
    "SELECT $é$x$é$; ATTACH ':memory:' AS other",
    'SELECT $ü$ $é$ $ü$ AS a; DELETE FROM numbers',
    "WITH x AS (SELECT $é$ ) $é$) INSERT INTO numbers SELECT 9, 'nine', 9",
    'EXPLAIN ANALYZE SELECT $é$x$é$; DROP VIEW numbers',
    "EXPLAIN ANALYZE $é$x$é$ INSERT INTO numbers SELECT 9, 'nine', 9",
  ])('refuses %s and changes nothing', async (sql) => {
    const { status, body } = await answer(sql)
    expect([400, 403]).toContain(status)
    expect(body.error?.message.length).toBeGreaterThan(0)
    await expectStillIntact()
    // Nothing written anywhere the sandbox could have put it: its data folder, or the working folder.
    const written = (await readdir(server.dataDir, { recursive: true })).filter((name) => String(name).endsWith('evil.csv'))
    expect(written).toEqual([])
    expect(existsSync(join(process.cwd(), 'evil.csv'))).toBe(false)
  })
})

describe('SQL that does not parse is a syntax error, not a refusal', () => {
  it('answers SELEC id FROM t with 400 SQL_ERROR at line 1, column 1', async () => {
    const { status, body } = await answer('SELEC id FROM t')
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ code: 'SQL_ERROR', message: expect.stringContaining('syntax error at or near "SELEC"'), line: 1, column: 1 })
  })

  it('points at a misspelt first keyword on a later line', async () => {
    const { status, body } = await answer('-- the top three\n  SELCT n\n  FROM numbers\n  LIMIT 3')
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ code: 'SQL_ERROR', message: expect.stringContaining('"SELCT"'), line: 2, column: 3 })
  })

  it('points at a misspelt keyword later in the statement', async () => {
    const { status, body } = await answer('SELECT n\nFROM numbers\nWHER n = 1')
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ code: 'SQL_ERROR', line: 3, column: 6 })
  })

  it.each([
    ['DROP TABLE t', 'a DROP statement'],
    ['DROP VIEW numbers', 'a DROP statement'],
    ["INSERT INTO numbers VALUES (4, 'four', 6)", 'an INSERT statement'],
    ['UPDATE numbers SET n = 0', 'an UPDATE statement'],
    ["COPY numbers TO 'x.csv'", 'a COPY statement'],
  ])('still refuses %s with 403 as %s', async (sql, what) => {
    const { status, body } = await answer(sql)
    expect(status).toBe(403)
    expect(body.error).toMatchObject({ code: 'FORBIDDEN', message: `Only SELECT, WITH, EXPLAIN and DESCRIBE run here; this is ${what}.` })
    await expectStillIntact()
  })
})
