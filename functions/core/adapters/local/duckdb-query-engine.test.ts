import { DuckDBInstance } from '@duckdb/node-api'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Config } from '../../config.ts'
import { TEST_QUERY_LIMITS } from '../../../testing/query-limits.ts'
import { AppError } from '../../errors.ts'
import { keys } from '../../keys.ts'
import type { Catalog, Column, TableEntry } from '../../ports/catalog.ts'
import { tenantId, type TenantId } from '../../tenant.ts'
import { DiskObjectStore } from './disk-object-store.ts'
import { DuckDbQueryEngine } from './duckdb-query-engine.ts'

const ACME = tenantId('acme')
const BRAVO = tenantId('bravo')
const LIMITS = TEST_QUERY_LIMITS

/** The catalog as the engine sees it: entries per tenant, changed by the test. */
class FakeCatalog implements Catalog {
  readonly entries = new Map<string, TableEntry>()
  async get(tenant: TenantId, name: string) {
    return this.entries.get(`${tenant}/${name}`)
  }
  async list(tenant: TenantId) {
    return [...this.entries.values()].filter((e) => e.tenant === tenant)
  }
  async put(entry: TableEntry) {
    this.entries.set(`${entry.tenant}/${entry.name}`, entry)
  }
  async update(tenant: TenantId, name: string, change: (e: TableEntry | undefined) => TableEntry | Promise<TableEntry>) {
    const next = await change(await this.get(tenant, name))
    await this.put(next)
    return next
  }
  async delete(tenant: TenantId, name: string) {
    return this.entries.delete(`${tenant}/${name}`)
  }
  async forgetVersions() {
    return []
  }
}

let writer: DuckDBInstance
let dataDir: string
let catalog: FakeCatalog
let engines: DuckDbQueryEngine[]
let engine: DuckDbQueryEngine

beforeAll(async () => {
  writer = await DuckDBInstance.create(':memory:')
})
afterAll(() => writer.closeSync())

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-query-'))
  catalog = new FakeCatalog()
  engines = []
  engine = newEngine()
})
afterEach(async () => {
  for (const e of engines) await e.close()
  await rm(dataDir, { recursive: true, force: true })
})

function newEngine(limits: Partial<Config['query']> = {}, now?: () => Date): DuckDbQueryEngine {
  const e = new DuckDbQueryEngine({ dataDir, store: new DiskObjectStore(dataDir), catalog, limits: { ...LIMITS, ...limits }, ...(now ? { now } : {}) })
  engines.push(e)
  return e
}

const queryId = () => `q_${randomUUID().replaceAll('-', '')}`

/** Writes a Parquet part with a plain DuckDB instance, as ingest would. */
async function writePart(tenant: TenantId, name: string, select: string, jobId: string) {
  const key = keys.lakePart(tenant, name, jobId)
  await mkdir(dirname(join(dataDir, key)), { recursive: true })
  const conn = await writer.connect()
  try {
    await conn.run(`COPY (${select}) TO '${join(dataDir, key)}' (FORMAT parquet)`)
  } finally {
    conn.closeSync()
  }
  return key
}

/** Adds a part to a table (creating it) and catalogs it. */
async function addTable(tenant: TenantId, name: string, select: string, columns: Column[], jobId = 'j1') {
  const key = await writePart(tenant, name, select, jobId)
  const previous = await catalog.get(tenant, name)
  const parts = [...(previous?.parts ?? []), { key, rows: 0, jobId, fileId: 'f1' }]
  const entry: TableEntry = {
    tenant,
    name,
    columns,
    location: keys.lakeTable(tenant, name),
    format: 'parquet',
    parts,
    rowCount: 0,
    sources: [],
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: new Date(Date.now() + parts.length).toISOString(),
  }
  await catalog.put(entry)
  return entry
}

const PEOPLE_COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'name', type: 'string' },
  { name: 'score', type: 'double' },
]
const addPeople = (tenant: TenantId = ACME, rows = 5) =>
  addTable(tenant, 'people', `SELECT range AS id, 'p' || range AS name, range * 1.5::DOUBLE AS score FROM range(${rows})`, PEOPLE_COLUMNS)

async function run(sql: string, tenant: TenantId = ACME, on: DuckDbQueryEngine = engine) {
  const started = await on.start(tenant, queryId(), sql)
  expect(started.status).toBe('RUNNING')
  return on.wait(tenant, started.queryId, 20_000)
}

async function rowsOf(sql: string, tenant: TenantId = ACME) {
  const record = await run(sql, tenant)
  expect(record).toMatchObject({ status: 'SUCCEEDED' })
  return (await engine.page(tenant, record.queryId, 0, 10_000)).rows
}

async function refusal(sql: string, tenant: TenantId = ACME): Promise<AppError> {
  const err: unknown = await engine.start(tenant, queryId(), sql).then(
    (r) => r,
    (e: unknown) => e,
  )
  if (!(err instanceof AppError)) throw new Error(`not refused: ${sql} -> ${JSON.stringify(err)}`)
  return err
}

async function text(stream: Readable): Promise<string> {
  let out = ''
  for await (const chunk of stream) out += String(chunk)
  return out
}

describe('reading tables', () => {
  it('answers a SELECT with Athena-typed columns, its rows and the row count', async () => {
    await addPeople()
    const record = await run('SELECT id, name, score FROM people ORDER BY id')
    expect(record).toMatchObject({ status: 'SUCCEEDED', rowCount: 5, columns: PEOPLE_COLUMNS })
    expect(record.endedAt).toEqual(expect.any(String))
    const page = await engine.page(ACME, record.queryId, 0, 2)
    expect(page).toEqual({ next: { offset: 2 }, columns: PEOPLE_COLUMNS, rows: [[0, 'p0', 0], [1, 'p1', 1.5]], offset: 0, rowCount: 5 })
  })

  it('pages 2500 rows in pages of 1000, in order', async () => {
    await addTable(ACME, 'numbers', 'SELECT range AS n FROM range(2500)', [{ name: 'n', type: 'bigint' }])
    const record = await run('SELECT n FROM numbers ORDER BY n')
    expect(record.rowCount).toBe(2500)
    const pages = await Promise.all([0, 1000, 2000, 3000].map((o) => engine.page(ACME, record.queryId, o, 1000)))
    expect(pages.map((p) => p.rows.length)).toEqual([1000, 1000, 500, 0])
    expect(pages.map((p) => p.rows[0]?.[0])).toEqual([0, 1000, 2000, undefined])
    expect(pages[2]?.rows.at(-1)).toEqual([2499])
  })

  it('answers an aggregate, sums exact even though Parquet has no 128-bit integers', async () => {
    await addPeople()
    await addTable(ACME, 'huge', 'SELECT 9007199254740993::BIGINT AS v FROM range(3)', [{ name: 'v', type: 'bigint' }])
    expect(await rowsOf('SELECT count(*) AS n, sum(id) AS total, avg(score) AS mean FROM people')).toEqual([[5, 10, 3]])
    const record = await run('SELECT sum(v) AS total FROM huge')
    expect(record.columns).toEqual([{ name: 'total', type: 'bigint' }])
    expect((await engine.page(ACME, record.queryId, 0, 1)).rows).toEqual([['27021597764222979']])
  })

  it('turns values into JSON-safe cells', async () => {
    const record = await run(`SELECT
      9007199254740993::BIGINT AS big, 42::BIGINT AS small, 12345678901234567890.12::DECIMAL(22,2) AS price,
      DATE '2024-02-29' AS day, TIMESTAMP '2024-01-02 03:04:05.678901' AS at,
      TIMESTAMPTZ '2024-01-02 03:04:05.678+02' AS at_utc, NULL::INTEGER AS nothing, 'NaN'::DOUBLE AS nan,
      [1, 2] AS list, {'a': 1, 'b': 'x'} AS struct, 'hi'::BLOB AS bytes, true AS yes`)
    expect(record.columns).toEqual([
      { name: 'big', type: 'bigint' },
      { name: 'small', type: 'bigint' },
      { name: 'price', type: 'decimal(22,2)' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'timestamp' },
      { name: 'at_utc', type: 'timestamp' },
      { name: 'nothing', type: 'int' },
      { name: 'nan', type: 'double' },
      { name: 'list', type: 'array<int>' },
      { name: 'struct', type: 'struct<a:int,b:string>' },
      { name: 'bytes', type: 'binary' },
      { name: 'yes', type: 'boolean' },
    ])
    const page = await engine.page(ACME, record.queryId, 0, 1)
    expect(page.rows).toEqual([
      [
        '9007199254740993', 42, '12345678901234567890.12', '2024-02-29', '2024-01-02T03:04:05.678',
        '2024-01-02T01:04:05.678Z', null, 'NaN', [1, 2], { a: 1, b: 'x' }, 'aGk=', true,
      ],
    ])
  })

  it('runs DESCRIBE, SUMMARIZE, SHOW TABLES and EXPLAIN, and ignores a trailing semicolon and comment', async () => {
    await addPeople()
    expect((await rowsOf('DESCRIBE people')).map((r) => r.slice(0, 2))).toEqual([
      ['id', 'BIGINT'],
      ['name', 'VARCHAR'],
      ['score', 'DOUBLE'],
    ])
    expect(await rowsOf('SHOW TABLES')).toEqual([['people']])
    expect((await rowsOf('SUMMARIZE people')).length).toBe(3)
    const explain = await run('EXPLAIN SELECT count(*) FROM people')
    expect(explain).toMatchObject({ status: 'SUCCEEDED', columns: [{ name: 'explain_key' }, { name: 'explain_value' }] })
    expect(explain.rowCount).toBeGreaterThan(0)
    expect(await rowsOf('-- count\nSELECT count(*) AS n FROM people; -- done')).toEqual([[5]])
    expect(await rowsOf('WITH t AS (SELECT id FROM people) FROM t SELECT max(id)')).toEqual([[4]])
  })

  it('gives a table without data its columns and no rows', async () => {
    await catalog.put({
      tenant: ACME, name: 'empty', columns: [{ name: 'price', type: 'decimal(10,2)' }, { name: 'day', type: 'date' }],
      location: keys.lakeTable(ACME, 'empty'), format: 'parquet', parts: [], rowCount: 0, sources: [],
      createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z',
    })
    const record = await run('SELECT * FROM empty')
    expect(record).toMatchObject({ status: 'SUCCEEDED', rowCount: 0, columns: [{ name: 'price', type: 'decimal(10,2)' }, { name: 'day', type: 'date' }] })
  })

  it('exports the whole result as CSV with a header row', async () => {
    await addPeople()
    const record = await run('SELECT id, name FROM people ORDER BY id')
    const csv = await text(await engine.exportCsv(ACME, record.queryId))
    expect(csv.trimEnd().split('\n')).toEqual(['id,name', '0,p0', '1,p1', '2,p2', '3,p3', '4,p4'])
    // A second export streams the file already written.
    expect(await text(await engine.exportCsv(ACME, record.queryId))).toBe(csv)
  })

  it('exports a result of many pages in its order, keeps the CSV for the next export, and leaves no temp file', async () => {
    const record = await run("SELECT i AS id, 'row ' || i AS label FROM range(250000) t(i) ORDER BY i DESC")
    expect(record.rowCount).toBe(250_000)
    const csv = await text(await engine.exportCsv(ACME, record.queryId))
    const lines = csv.trimEnd().split('\n')
    expect(lines).toHaveLength(250_001)
    expect(lines.slice(0, 3)).toEqual(['id,label', '249999,row 249999', '249998,row 249998'])
    expect(lines.at(-1)).toBe('0,row 0')
    expect(await text(await engine.exportCsv(ACME, record.queryId))).toBe(csv)
    const resultDir = join(dataDir, keys.resultDir(ACME, record.queryId))
    await expect.poll(async () => (await readdir(resultDir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})

describe('the sandbox', () => {
  const outside = () => join(tmpdir(), `csvlake-escape-${randomUUID()}`)

  it('refuses to read, write or change anything outside the tenant’s tables, and keeps answering', async () => {
    await addPeople(ACME)
    await addPeople(BRAVO)
    const bravoFile = join(dataDir, keys.lakePart(BRAVO, 'people', 'j1'))
    const acmeLake = join(dataDir, keys.lakeTenant(ACME))
    const escapes = [outside(), outside(), outside()]
    const attempts = [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM read_blob('/etc/passwd')",
      "SELECT * FROM '/etc/passwd'",
      "SELECT * FROM glob('/*')",
      `SELECT * FROM read_parquet('${bravoFile}')`,
      `SELECT * FROM read_parquet('${acmeLake}/../bravo/people/j1/data.parquet')`,
      `SELECT * FROM parquet_metadata('${bravoFile}')`,
      `COPY (SELECT 1) TO '${escapes[0]}'`,
      `COPY people TO '${acmeLake}/people/j1/evil.parquet'`,
      `EXPORT DATABASE '${escapes[1]}'`,
      "ATTACH ':memory:' AS other",
      'DETACH memory',
      'INSTALL httpfs',
      'LOAD parquet',
      "SET memory_limit = '64GB'",
      'RESET memory_limit',
      'SET VARIABLE x = 1',
      'PRAGMA version',
      'PRAGMA threads = 64',
      'CALL pragma_version()',
      'CREATE TABLE t AS SELECT 1',
      'CREATE VIEW v AS SELECT 1',
      'CREATE MACRO m(a) AS a',
      'INSERT INTO people VALUES (9, 9, 9)',
      'WITH x AS (SELECT 1) INSERT INTO people SELECT * FROM x',
      'UPDATE people SET name = 1',
      'DELETE FROM people',
      'DROP VIEW people',
      'SELECT 1; SELECT 2',
      'SELECT 1; DROP VIEW people',
      `EXPLAIN ANALYZE COPY (SELECT 1) TO '${escapes[2]}'`,
      "SELECT current_setting('allowed_directories')",
      'SELECT * FROM duckdb_settings()',
      'SELECT * FROM pg_settings',
      "SELECT * FROM query('SELECT 1')",
      `SELECT * FROM "QUERY"('SELECT 1')`,
      `SELECT * FROM enable_logging(storage = 'file', storage_path = '${acmeLake}/logs')`,
      'SELECT * FROM enable_profiling()',
      'SELECT * FROM checkpoint()',
      'SELECT * FROM arrow_scan(1, 2, 3)',
      'BEGIN',
      'USE system',
      'VACUUM',
    ]
    for (const sql of attempts) {
      const err = await refusal(sql)
      expect([sql, err.code]).toEqual([sql, expect.stringMatching(/^(FORBIDDEN|SQL_ERROR)$/)])
    }
    expect(escapes.filter((p) => existsSync(p))).toEqual([])
    expect(await readdir(join(acmeLake, 'people', 'ingest_job=j1'))).toEqual(['data.parquet'])
    expect(await readdir(acmeLake)).toEqual(['people'])
    expect(await rowsOf('SELECT count(*) AS n FROM people')).toEqual([[5]])
  })

  it('names what it refuses', async () => {
    expect(await refusal("COPY (SELECT 1) TO 'x.csv'")).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Only SELECT, WITH, EXPLAIN and DESCRIBE run here; this is a COPY statement.',
    })
    expect(await refusal('SELECT 1; SELECT 2')).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Run one statement at a time; this SQL has 2.',
    })
    expect(await refusal("SELECT * FROM read_csv('/etc/passwd')")).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Queries may read only your own tables; "/etc/passwd" is not one of your tables.',
    })
    expect((await refusal("SELECT current_setting('threads')")).message).toContain('current_setting')
  })

  it('runs no part of SQL with several statements, whichever comes first', async () => {
    for (const sql of ['SELECT 1; CREATE TABLE sneaky AS SELECT 42', 'CREATE TABLE sneaky AS SELECT 42; SELECT 1']) {
      expect((await refusal(sql)).code).toMatch(/^(FORBIDDEN|SQL_ERROR)$/)
    }
    expect(await refusal('SELECT * FROM sneaky')).toMatchObject({ code: 'SQL_ERROR', message: expect.stringContaining('sneaky does not exist') })
  })

  it('shows a tenant only its own tables, even under the same name', async () => {
    await addPeople(ACME, 5)
    const missing = await refusal('SELECT * FROM people', BRAVO)
    expect(missing).toMatchObject({ code: 'SQL_ERROR', message: expect.stringContaining('people does not exist') })
    await addPeople(BRAVO, 2)
    expect(await rowsOf('SELECT count(*) FROM people', ACME)).toEqual([[5]])
    expect(await rowsOf('SELECT count(*) FROM people', BRAVO)).toEqual([[2]])
    const acmeQuery = await run('SELECT 1', ACME)
    await expect(engine.get(BRAVO, acmeQuery.queryId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(engine.page(BRAVO, acmeQuery.queryId, 0, 1)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('lets no more queries of a tenant start at once than its limit, however many arrive together', async () => {
    const limited = new DuckDbQueryEngine({ dataDir, store: new DiskObjectStore(dataDir), catalog, limits: LIMITS, maxRunningPerTenant: 2 })
    const long = 'SELECT count(*) FROM range(10000000000) a'
    const starts = await Promise.allSettled(Array.from({ length: 6 }, () => limited.start(ACME, queryId(), long)))
    const started = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    expect(started).toHaveLength(2)
    for (const s of starts) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'TOO_MANY_REQUESTS' })
    for (const s of started) await limited.cancel(ACME, s.queryId)
    await limited.close()
  })

  it('tells a new tenant to retry when every instance is busy', async () => {
    const busy = newEngine({ maxInstances: 1 })
    const long = await busy.start(ACME, queryId(), 'SELECT count(*) FROM range(10000000000) a')
    await expect(busy.start(BRAVO, queryId(), 'SELECT 1')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
    await busy.cancel(ACME, long.queryId)
    expect(await run('SELECT 1 AS one', BRAVO, busy)).toMatchObject({ status: 'SUCCEEDED' })
  })
})

describe('errors', () => {
  it('reports the line and column of a syntax error', async () => {
    await addPeople()
    expect(await refusal('SELECT id,\n  name,, score FROM people')).toMatchObject({
      code: 'SQL_ERROR',
      message: expect.stringContaining('syntax error'),
      details: { line: 2, column: 8 },
    })
    expect(await refusal('SELECT id,\n  nam FROM people')).toMatchObject({
      code: 'SQL_ERROR',
      message: expect.stringContaining('Referenced column "nam" not found'),
      details: { line: 2, column: 3 },
    })
  })

  it('never shows where the server keeps its data: a table whose file is gone is named by its place in the lake', async () => {
    await addPeople()
    const [part] = (await catalog.get(ACME, 'people'))!.parts
    await rm(join(dataDir, part!.key))
    engine.invalidate(ACME)
    const failed = await run('SELECT * FROM people')
    expect(failed.status).toBe('FAILED')
    expect(failed.error!.message).toContain(part!.key)
    expect(failed.error!.message).not.toContain(dataDir)
  })

  it('fails a query whose error shows only while it runs, leaving no result', async () => {
    await addPeople()
    const record = await run('SELECT CAST(name AS INTEGER) AS n FROM people')
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'SQL_ERROR', message: expect.stringContaining('Conversion Error') } })
    expect(existsSync(join(dataDir, keys.resultDir(ACME, record.queryId)))).toBe(false)
    await expect(engine.page(ACME, record.queryId, 0, 10)).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('answers NOT_FOUND for an unknown query', async () => {
    await expect(engine.get(ACME, queryId())).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(engine.get(ACME, '../../etc/passwd')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('stopping', () => {
  const LONG = 'SELECT count(*) FROM range(10000000000) a'

  it('cancels a long query quickly and leaves no result', async () => {
    const started = await engine.start(ACME, queryId(), LONG)
    await new Promise((r) => setTimeout(r, 200))
    const began = Date.now()
    const cancelled = await engine.cancel(ACME, started.queryId)
    expect(Date.now() - began).toBeLessThan(5000)
    expect(cancelled).toMatchObject({ status: 'CANCELLED', endedAt: expect.any(String) })
    expect(await engine.get(ACME, started.queryId)).toMatchObject({ status: 'CANCELLED' })
    expect(existsSync(join(dataDir, keys.resultDir(ACME, started.queryId)))).toBe(false)
  })

  it('returns an ended query unchanged when asked to cancel it', async () => {
    const record = await run('SELECT 1')
    expect(await engine.cancel(ACME, record.queryId)).toEqual(record)
  })

  it('fails a query that runs past the time limit with TIMEOUT', async () => {
    const quick = newEngine({ timeoutMs: 300 })
    const record = await run(LONG, ACME, quick)
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'TIMEOUT', message: expect.stringContaining('CSVLAKE_QUERY_TIMEOUT_MS') } })
  })

  it('waits no longer than asked', async () => {
    const started = await engine.start(ACME, queryId(), LONG)
    expect(await engine.wait(ACME, started.queryId, 50)).toMatchObject({ status: 'RUNNING' })
    await engine.cancel(ACME, started.queryId)
  })
})

describe('catalog changes', () => {
  it('sees a new table, new data and a dropped table', async () => {
    await addPeople()
    expect(await rowsOf('SELECT count(*) FROM people')).toEqual([[5]])
    expect((await refusal('SELECT * FROM pets')).code).toBe('SQL_ERROR')
    await addTable(ACME, 'pets', "SELECT 'rex' AS name", [{ name: 'name', type: 'string' }])
    expect(await rowsOf('SELECT * FROM pets')).toEqual([['rex']])
    await addTable(ACME, 'people', 'SELECT 9 AS id, 9 AS name, 9.0::DOUBLE AS score', PEOPLE_COLUMNS, 'j2')
    expect(await rowsOf('SELECT count(*) FROM people')).toEqual([[6]])
    await catalog.delete(ACME, 'pets')
    expect(await refusal('SELECT * FROM pets')).toMatchObject({ code: 'SQL_ERROR', message: expect.stringContaining('pets does not exist') })
  })

  it('rebuilds the views when told the catalog changed', async () => {
    const entry = await addPeople()
    expect(await rowsOf('SELECT count(*) FROM people')).toEqual([[5]])
    // Same updatedAt, other files: only invalidate() can tell.
    const key = await writePart(ACME, 'people', "SELECT range AS id, 'x' AS name, 0.0::DOUBLE AS score FROM range(2)", 'j2')
    await catalog.put({ ...entry, parts: [{ key, rows: 2, jobId: 'j2', fileId: 'f2' }] })
    expect(await rowsOf('SELECT count(*) FROM people')).toEqual([[5]])
    engine.invalidate(ACME)
    expect(await rowsOf('SELECT count(*) FROM people')).toEqual([[2]])
  })
})

describe('reusing results', () => {
  it('answers the same SQL over unchanged tables from the earlier result: ended at once, no SQL run', async () => {
    await addPeople()
    const first = await run('SELECT count(*) AS n FROM people')
    const again = await engine.start(ACME, queryId(), 'SELECT count(*) AS n FROM people')
    expect(again).toMatchObject({ status: 'SUCCEEDED', reusedFrom: first.queryId, rowCount: 1, columns: [{ name: 'n', type: 'bigint' }] })
    expect(await engine.page(ACME, again.queryId, 0, 10)).toMatchObject({ rows: [[5]] })
    expect(await text(await engine.exportCsv(ACME, again.queryId))).toBe('n\n5\n')
    // Its own record, as any query's: it outlives the process.
    const restarted = newEngine()
    expect(await restarted.get(ACME, again.queryId)).toMatchObject({ status: 'SUCCEEDED', reusedFrom: first.queryId })
    expect((await restarted.page(ACME, again.queryId, 0, 10)).rows).toEqual([[5]])
  })

  it('runs the SQL again once a table changed: appended to, replaced or dropped', async () => {
    await addPeople()
    await run('SELECT count(*) AS n FROM people')
    await addTable(ACME, 'people', 'SELECT 99 AS id, \'x\' AS name, 1.0::DOUBLE AS score', PEOPLE_COLUMNS, 'j2')
    const appended = await run('SELECT count(*) AS n FROM people')
    expect(appended.reusedFrom).toBeUndefined()
    expect((await engine.page(ACME, appended.queryId, 0, 10)).rows).toEqual([[6]])
    await catalog.delete(ACME, 'people')
    expect(await refusal('SELECT count(*) AS n FROM people')).toMatchObject({ code: 'SQL_ERROR' })
  })

  it('never reuses for another tenant, when asked not to, for EXPLAIN ANALYZE, or for SQL that reads the clock or randomness', async () => {
    await addPeople(ACME)
    await addPeople(BRAVO)
    for (const sql of ['SELECT count(*) AS n FROM people', 'EXPLAIN ANALYZE SELECT count(*) FROM people', 'SELECT now() > DATE \'2000-01-01\' AS later', 'SELECT random() < 2 AS r']) {
      await run(sql, ACME)
      const other = await run(sql, BRAVO)
      expect([sql, other.reusedFrom]).toEqual([sql, undefined])
    }
    for (const sql of ['EXPLAIN ANALYZE SELECT count(*) FROM people', 'SELECT now() > DATE \'2000-01-01\' AS later', 'SELECT random() < 2 AS r']) {
      expect([sql, (await run(sql, ACME)).reusedFrom]).toEqual([sql, undefined])
    }
    const fresh = await engine.start(ACME, queryId(), 'SELECT count(*) AS n FROM people', { reuse: false })
    expect(fresh.status).toBe('RUNNING')
    expect((await engine.wait(ACME, fresh.queryId, 20_000)).reusedFrom).toBeUndefined()
  })

  it('runs the query as any other when the reused result cannot be stored', async () => {
    await addPeople()
    await run('SELECT count(*) AS n FROM people')
    const id = queryId()
    // A file where the query's result folder would go: nothing can be stored for it.
    await mkdir(join(dataDir, 'results', ACME), { recursive: true })
    await writeFile(join(dataDir, 'results', ACME, id), 'in the way')
    const started = await engine.start(ACME, id, 'SELECT count(*) AS n FROM people')
    expect(started).toMatchObject({ status: 'RUNNING' })
    expect((await engine.wait(ACME, id, 20_000)).status).toBe('FAILED')
  })

  it('keeps no result of a query that failed or was cancelled', async () => {
    const failed = await engine.start(ACME, queryId(), "SELECT CAST('x' AS INTEGER) AS n")
    expect((await engine.wait(ACME, failed.queryId, 20_000)).status).toBe('FAILED')
    const again = await engine.start(ACME, queryId(), "SELECT CAST('x' AS INTEGER) AS n")
    expect(again.status).toBe('RUNNING')
  })
})

describe('after a restart', () => {
  it('pages and exports a query run by the previous process', async () => {
    await addPeople()
    const record = await run('SELECT id FROM people ORDER BY id')
    await engine.close()
    const next = newEngine()
    expect(await next.get(ACME, record.queryId)).toEqual(record)
    expect((await next.page(ACME, record.queryId, 3, 10)).rows).toEqual([[3], [4]])
    expect((await text(await next.exportCsv(ACME, record.queryId))).trimEnd().split('\n')).toHaveLength(6)
  })

  it('reads at start only the queries that were running, not every finished one', async () => {
    await engine.recover() // a fresh folder: the index of running queries exists from now on
    for (let i = 0; i < 20; i++) await run(`SELECT ${i} AS n`)
    // A query whose caller stopped waiting (its RUNNING record is written), then the process died.
    const dying = newEngine()
    const started = await dying.start(ACME, queryId(), 'SELECT count(*) FROM range(10000000000) a')
    expect(await dying.wait(ACME, started.queryId, 10)).toMatchObject({ status: 'RUNNING' })
    const store = new DiskObjectStore(dataDir)
    let reads = 0
    const counting: DiskObjectStore = Object.create(store)
    counting.getBytes = (key) => (reads++, store.getBytes(key))
    const restarted = new DuckDbQueryEngine({ dataDir, store: counting, catalog, limits: LIMITS })
    expect(await restarted.recover()).toBe(1)
    expect(reads).toBe(1)
    expect(await restarted.get(ACME, started.queryId)).toMatchObject({ status: 'FAILED', error: { code: 'INTERRUPTED' } })
    expect(await restarted.recover()).toBe(0)
    await dying.close()
    await restarted.close()
  })

  it('fails the queries a dead process left RUNNING', async () => {
    const store = new DiskObjectStore(dataDir)
    const id = queryId()
    const orphan = { queryId: id, tenant: ACME, sql: 'SELECT 1', status: 'RUNNING', submittedAt: '2024-01-01T00:00:00.000Z' }
    await store.putBytes(keys.query(ACME, id), JSON.stringify(orphan))
    const finished = await run('SELECT 1')
    expect(await engine.recover()).toBe(1)
    expect(await engine.get(ACME, id)).toMatchObject({
      status: 'FAILED',
      endedAt: expect.any(String),
      error: { message: 'csvlake restarted while this query was running; run it again.' },
    })
    expect(await engine.get(ACME, finished.queryId)).toEqual(finished)
  })
})

describe('the results lifecycle', () => {
  it('removes the records and results of queries that ended longer ago than the time to live, and keeps the rest', async () => {
    let clock = Date.parse('2026-11-01T00:00:00Z')
    const aged = newEngine({ resultTtlMs: 3_600_000 }, () => new Date(clock))
    const small = await run('SELECT 42 AS answer', ACME, aged)
    const big = await run('SELECT i FROM range(5000) t(i)', ACME, aged)
    await text(await aged.exportCsv(ACME, big.queryId))
    expect(await readdir(join(dataDir, keys.resultsTenant(ACME)))).toHaveLength(2)

    clock += 30 * 60_000
    const recent = await run('SELECT 1 AS one', ACME, aged)
    expect(await aged.expire()).toBe(0)

    clock += 45 * 60_000 // the first two ended 75 min ago, the last one 45 min ago
    expect(await aged.expire()).toBe(2)
    for (const gone of [small, big]) {
      await expect(aged.get(ACME, gone.queryId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    }
    expect(await readdir(join(dataDir, keys.resultsTenant(ACME)))).toEqual([recent.queryId])
    expect((await aged.get(ACME, recent.queryId)).status).toBe('SUCCEEDED')
    // A fresh engine (another process) finds nothing of them either.
    await expect(newEngine().get(ACME, small.queryId)).rejects.toMatchObject({ code: 'NOT_FOUND' })

    // Start-up recovery expires too, in the same pass that fails the queries left RUNNING.
    clock += 2 * 3_600_000
    const restarted = newEngine({ resultTtlMs: 3_600_000 }, () => new Date(clock))
    expect(await restarted.recover()).toBe(0)
    await expect(restarted.get(ACME, recent.queryId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await readdir(join(dataDir, keys.resultsTenant(ACME)))).toEqual([])
  })
})

