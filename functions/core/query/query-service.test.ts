import { parse } from 'csv-parse/sync'
import type { Readable } from 'node:stream'
import { beforeEach, describe, expect, it } from 'vitest'
import { FakeAthena, type ScriptedAnswer } from '../adapters/fake/fake-athena.ts'
import { AthenaQueryRunner } from '../adapters/aws/athena-query-runner.ts'
import { FakeS3 } from '../adapters/fake/fake-s3.ts'
import { fakeS3ObjectStore } from '../adapters/fake/fake-s3-object-store.ts'
import type { Catalog, TableEntry } from '../ports/catalog.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { tenantId, type TenantId } from '../tenant.ts'
import { StoreSlots } from '../limits/store-slots.ts'
import { QueryService } from './query-service.ts'

// The domain's query rules over an engine that behaves as Athena does (ids it assigns, SQL errors
// found late, results read forward by NextToken as strings): the engine's responses are written
// from the Athena API reference, not recorded.

const ACME = tenantId('acme')
const LIMITS = { timeoutMs: 30_000, resultTtlMs: 3_600_000, maxResultBytes: 2 ** 30 }

const BIG = 'SELECT n FROM big ORDER BY n'
const SMALL = 'SELECT count(*) AS n FROM big'
const LATE_ERROR = 'SELECT nme FROM big'
const LONG = 'SELECT * FROM slow'

function answers(sql: string): ScriptedAnswer {
  switch (sql) {
    case BIG:
      return { columns: [{ Name: 'n', Type: 'bigint' }], rows: Array.from({ length: 2500 }, (_, i) => [String(i)]) }
    case SMALL:
      return { columns: [{ Name: 'n', Type: 'bigint' }, { Name: 'at', Type: 'timestamp' }, { Name: 'd', Type: 'decimal', Precision: 10, Scale: 2 }], rows: [['2500', '2024-05-06 07:08:09.123', '12.50']] }
    case LONG:
      return { columns: [{ Name: 'x', Type: 'integer' }], rows: [['1']], runMs: 600_000 }
    default:
      return { fail: { reason: "line 1:8: Column 'nme' cannot be resolved" }, runMs: 30 }
  }
}

class OneTableCatalog implements Catalog {
  entry: TableEntry = { tenant: ACME, name: 'big', columns: [{ name: 'n', type: 'bigint' }], location: 'lake/acme/big/', format: 'parquet', parts: [], rowCount: 2500, sources: [], createdAt: 't', updatedAt: 't' }
  async get() {
    return this.entry
  }
  async list(tenant: TenantId) {
    return tenant === ACME ? [this.entry] : []
  }
  async put() {}
  async update(): Promise<TableEntry> {
    return this.entry
  }
  async delete() {
    return true
  }
  async forgetVersions() {
    return []
  }
}

let athena: FakeAthena
let store: ObjectStore
let catalog: OneTableCatalog
let now: Date
/** One replica of the query function: its own service and runner, over the shared services. */
const replica = () => new QueryService({ runner: athenaRunner(), store, catalog, limits: LIMITS, now: () => now })
/** The Athena runner over the fake, as each replica of the query function would make it. */
const athenaRunner = () => new AthenaQueryRunner({ athenaFor: () => athena, outputs: athena.outputs(), workGroup: 'csvlake', databaseOf: (t) => `csvlake_${t}`, pollMs: 5 })
let queries: QueryService
let ids = 0
const id = () => `q_service${ids++}`

beforeEach(() => {
  athena = new FakeAthena(answers)
  store = fakeS3ObjectStore(new FakeS3())
  catalog = new OneTableCatalog()
  now = new Date()
  queries = replica()
})

describe('queries on an engine that behaves as Athena does', () => {
  it('records the engine’s own id for the query, and answers with csvlake’s', async () => {
    const queryId = id()
    const started = await queries.start(ACME, queryId, BIG)
    expect(started.queryId).toBe(queryId)
    expect(started.executionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(started.executionId).not.toBe(queryId)
    expect(await queries.wait(ACME, queryId, 5000)).toMatchObject({ status: 'SUCCEEDED', rowCount: 2500, columns: [{ name: 'n', type: 'bigint' }] })
  })

  it('ends a query FAILED with SQL_ERROR and its line and column when the engine finds the error late', async () => {
    const queryId = id()
    expect((await queries.start(ACME, queryId, LATE_ERROR)).status).toBe('RUNNING')
    const ended = await queries.wait(ACME, queryId, 5000)
    expect(ended).toMatchObject({ status: 'FAILED', error: { code: 'SQL_ERROR', line: 1, column: 8, message: "Column 'nme' cannot be resolved" } })
    // Kept, so another replica answers the same.
    expect(await replica().get(ACME, queryId)).toMatchObject({ status: 'FAILED', error: { line: 1, column: 8 } })
  })

  it('pages a big result forward by the engine’s tokens, every row once, and refuses to jump without one', async () => {
    const queryId = id()
    await queries.start(ACME, queryId, BIG)
    await queries.wait(ACME, queryId, 5000)
    const seen: unknown[] = []
    let page = await queries.page(ACME, queryId, 0, 1000)
    seen.push(...page.rows)
    while (page.next) {
      expect(page.next.token).toEqual(expect.any(String))
      page = await queries.page(ACME, queryId, page.next, 1000)
      seen.push(...page.rows)
    }
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => [i]))
    expect(page.rowCount).toBe(2500)
    await expect(queries.page(ACME, queryId, 1500, 10)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('nextToken') })
  })

  it('keeps a one-page result as JSON, typed as local mode types it, so reading it again and reusing it call no engine', async () => {
    const first = id()
    await queries.start(ACME, first, SMALL)
    await queries.wait(ACME, first, 5000)
    const calls = athena.calls.length
    expect((await queries.page(ACME, first, 0, 10)).rows).toEqual([[2500, '2024-05-06T07:08:09.123', '12.50']])
    const again = await queries.start(ACME, id(), SMALL)
    expect(again).toMatchObject({ status: 'SUCCEEDED', reusedFrom: first, rowCount: 1 })
    expect(athena.calls.slice(calls)).toEqual([])
  })

  it('lets another replica see a query end that this one started (as a function scaled to zero would)', async () => {
    const queryId = id()
    await queries.start(ACME, queryId, BIG)
    // The caller stops waiting at once: the record says RUNNING for every replica.
    expect(await queries.wait(ACME, queryId, 0)).toMatchObject({ status: 'RUNNING' })
    const other = replica()
    let seen = await other.get(ACME, queryId)
    for (let i = 0; seen.status === 'RUNNING' && i < 100; i++) {
      await new Promise((done) => setTimeout(done, 20))
      seen = await other.get(ACME, queryId)
    }
    expect(seen).toMatchObject({ status: 'SUCCEEDED', rowCount: 2500 })
    expect((await other.page(ACME, queryId, 0, 5)).rows).toEqual([[0], [1], [2], [3], [4]])
  })

  it('leaves a query the engine still runs RUNNING when a restarted process recovers, and answers its result when it ends', async () => {
    let clock = Date.now()
    athena = new FakeAthena(answers, () => clock)
    const first = replica()
    const queryId = id()
    await first.start(ACME, queryId, LONG)
    clock += 1000
    expect(await first.wait(ACME, queryId, 0)).toMatchObject({ status: 'RUNNING' })
    // The process is gone; Athena goes on. The next process recovers at start.
    const restarted = replica()
    expect(await restarted.recover()).toBe(0)
    expect(await restarted.get(ACME, queryId)).toMatchObject({ status: 'RUNNING' })
    clock += 600_000
    let seen = await restarted.get(ACME, queryId)
    for (let i = 0; seen.status === 'RUNNING' && i < 100; i++) {
      await new Promise((done) => setTimeout(done, 20))
      seen = await restarted.get(ACME, queryId)
    }
    expect(seen).toMatchObject({ status: 'SUCCEEDED', rowCount: 1 })
    await restarted.close()
  })

  it('cancels from another replica: the engine is told to stop', async () => {
    const queryId = id()
    await queries.start(ACME, queryId, LONG)
    await queries.wait(ACME, queryId, 0)
    expect(await replica().cancel(ACME, queryId)).toMatchObject({ status: 'CANCELLED' })
    expect(athena.calls).toContain('StopQueryExecution')
    expect(await queries.wait(ACME, queryId, 5000)).toMatchObject({ status: 'CANCELLED' })
  })

  it('exports a big result from the CSV the engine wrote', async () => {
    const queryId = id()
    await queries.start(ACME, queryId, BIG)
    await queries.wait(ACME, queryId, 5000)
    const rows = parse(await text(await queries.exportCsv(ACME, queryId))) as string[][]
    expect(rows[0]).toEqual(['n'])
    expect(rows).toHaveLength(2501)
  })

  it('removes an expired query’s record and the result the engine kept', async () => {
    const queryId = id()
    await queries.start(ACME, queryId, BIG)
    await queries.wait(ACME, queryId, 5000)
    now = new Date(now.getTime() + LIMITS.resultTtlMs + 1000)
    expect(await queries.expire()).toBe(1)
    await expect(queries.get(ACME, queryId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const executionId = (athena as unknown as { executions: Map<string, unknown> }).executions.keys().next().value as string
    expect(athena.outputObject(executionId)).toBeUndefined()
  })
})

describe('the per-tenant limit across replicas', () => {
  it('refuses a query past the limit whichever replica it lands on, and frees the slot when one ends', async () => {
    const slots = () => new StoreSlots(store)
    const limited = () => new QueryService({ runner: athenaRunner(), store, catalog, limits: LIMITS, maxRunningPerTenant: 1, slots: slots() })
    const [a, b] = [limited(), limited()]
    const first = id()
    await a.start(ACME, first, LONG)
    await expect(b.start(ACME, id(), LONG)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('You have 1 queries running') })
    await a.cancel(ACME, first)
    const second = id()
    expect((await b.start(ACME, second, LONG)).status).toBe('RUNNING')
    await b.cancel(ACME, second)
  })

  it('frees the slot of a query the engine refused at once, and of one answered from an earlier result', async () => {
    const limited = new QueryService({ runner: athenaRunner(), store, catalog, limits: LIMITS, maxRunningPerTenant: 1, slots: new StoreSlots(store) })
    const q = id()
    await limited.start(ACME, q, SMALL)
    await limited.wait(ACME, q, 5000)
    for (let i = 0; i < 3; i++) expect(await limited.start(ACME, id(), SMALL)).toMatchObject({ reusedFrom: q })
    const long = id()
    expect((await limited.start(ACME, long, LONG)).status).toBe('RUNNING')
    await limited.cancel(ACME, long)
  })
})

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks).toString('utf8')
}
