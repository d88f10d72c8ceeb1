import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiskObjectStore } from '../core/adapters/local/disk-object-store.ts'
import { SavedQueries } from '../core/query/saved-queries.ts'
import { tenantId } from '../core/tenant.ts'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'
import { asUsers } from '../testing/as-users.ts'

// The history and the saved queries over real HTTP, on the local gateway with identity on, so two
// tenants (two signed-in users) each see only their own.

let issuer: TestIssuer
let server: TestServer
let alice: string
let bob: string
beforeAll(async () => {
  issuer = await startTestIssuer()
  server = await startTestServer(issuer.env())
  alice = await issuer.sign({ sub: 'alice' })
  bob = await issuer.sign({ sub: 'bob' })
})
afterAll(async () => {
  await server?.close()
  await issuer?.close()
})

const { call, send } = asUsers(() => server.url)
const run = async (token: string, sql: string) => (await (await send(token, 'POST', '/api/query', { sql, waitMs: 10_000 })).json()) as { queryId: string; status: string }

describe('GET /api/queries: the history, from the query records', () => {
  it('lists what a tenant ran, newest first, a page at a time, with status, rows and time; another tenant sees none of it', async () => {
    const ran = []
    for (const n of [1, 2, 3]) ran.push(await run(alice, `SELECT ${n} AS n`))
    const failed = await send(alice, 'POST', '/api/query', { sql: 'SELEC 1', waitMs: 10_000 })
    expect(failed.status).toBe(400)

    const first = await (await call(alice, '/api/queries?limit=2')).json()
    expect(first.queries).toHaveLength(2)
    expect(first.queries[0]).toMatchObject({ sql: 'SELEC 1', status: 'FAILED', error: { code: expect.any(String), message: expect.any(String) } })
    expect(first.queries[1]).toMatchObject({ queryId: ran[2]!.queryId, sql: 'SELECT 3 AS n', status: 'SUCCEEDED', rowCount: 1, elapsedMs: expect.any(Number) })
    const second = await (await call(alice, `/api/queries?limit=2&nextToken=${first.nextToken}`)).json()
    expect(second.queries.map((q: { queryId: string }) => q.queryId)).toEqual([ran[1]!.queryId, ran[0]!.queryId])
    expect(second.nextToken).toBeUndefined()

    expect((await (await call(bob, '/api/queries')).json()).queries).toEqual([])
  })

  it('cuts a long SQL text in the list, saying so; the query itself keeps all of it', async () => {
    const sql = `SELECT 1 AS n -- ${'x'.repeat(3000)}`
    const { queryId } = await run(alice, sql)
    const [latest] = (await (await call(alice, '/api/queries?limit=1')).json()).queries
    expect(latest).toMatchObject({ queryId, sqlTruncated: true })
    expect(latest.sql).toHaveLength(2000)
    expect((await (await call(alice, `/api/query/${queryId}`)).json()).sql).toBe(sql)
  })

  it('answers a token it did not give out, or a limit out of range, with 400 and what to do', async () => {
    const bad = await call(alice, '/api/queries?nextToken=bm9wZQ')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toMatch(/exactly as received/)
    expect((await call(alice, '/api/queries?limit=500')).status).toBe(400)
  })
})

describe('/api/saved-queries', () => {
  it('saves, lists, opens, renames, edits and deletes a query, with its description and chart', async () => {
    const created = await send(alice, 'POST', '/api/saved-queries', {
      name: '  Cities by count ',
      sql: 'SELECT city, count(*) AS n FROM people GROUP BY city',
      description: 'For the weekly report',
      chart: { kind: 'bar', x: 'city', y: ['n'] },
    })
    expect(created.status).toBe(201)
    const saved = await created.json()
    expect(saved).toMatchObject({ savedQueryId: expect.stringMatching(/^s_[0-9a-f]{32}$/), name: 'Cities by count', description: 'For the weekly report', chart: { kind: 'bar', x: 'city', y: ['n'] } })
    expect(saved.createdAt).toBe(saved.updatedAt)

    const listed = await (await call(alice, '/api/saved-queries')).json()
    expect(listed.savedQueries.map((s: { savedQueryId: string }) => s.savedQueryId)).toContain(saved.savedQueryId)
    expect(await (await call(alice, `/api/saved-queries/${saved.savedQueryId}`)).json()).toEqual(saved)

    const renamed = await (await send(alice, 'PATCH', `/api/saved-queries/${saved.savedQueryId}`, { name: 'Cities' })).json()
    expect(renamed).toMatchObject({ name: 'Cities', sql: saved.sql, chart: saved.chart, createdAt: saved.createdAt })
    const edited = await (await send(alice, 'PATCH', `/api/saved-queries/${saved.savedQueryId}`, { sql: 'SELECT 1', description: null, chart: null })).json()
    expect(edited).toMatchObject({ name: 'Cities', sql: 'SELECT 1' })
    expect(edited.description).toBeUndefined()
    expect(edited.chart).toBeUndefined()

    expect((await call(alice, `/api/saved-queries/${saved.savedQueryId}`, { method: 'DELETE' })).status).toBe(200)
    expect((await call(alice, `/api/saved-queries/${saved.savedQueryId}`)).status).toBe(404)
    expect((await call(alice, `/api/saved-queries/${saved.savedQueryId}`, { method: 'DELETE' })).status).toBe(404)
  })

  it("keeps each tenant's saved queries its own: another tenant can neither list, open, rename nor delete them", async () => {
    const saved = await (await send(alice, 'POST', '/api/saved-queries', { name: 'Mine', sql: 'SELECT 1' })).json()
    expect((await (await call(bob, '/api/saved-queries')).json()).savedQueries).toEqual([])
    expect((await call(bob, `/api/saved-queries/${saved.savedQueryId}`)).status).toBe(404)
    expect((await send(bob, 'PATCH', `/api/saved-queries/${saved.savedQueryId}`, { name: 'Yours' })).status).toBe(404)
    expect((await call(bob, `/api/saved-queries/${saved.savedQueryId}`, { method: 'DELETE' })).status).toBe(404)
    expect((await (await call(alice, `/api/saved-queries/${saved.savedQueryId}`)).json()).name).toBe('Mine')
  })

  it('answers bad input with 400 and a message a person can act on', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: '   ', sql: 'SELECT 1' }, /Give the query a name/],
      [{ name: 'x'.repeat(201), sql: 'SELECT 1' }, /at most 200 characters/],
      [{ name: 'n', sql: '' }, /needs some SQL/],
      [{ name: 'n', sql: 'SELECT 1', chart: { kind: 'pie', x: 'a', y: ['b'] } }, /kind/],
      [{ name: 'n', sql: 'SELECT 1', chart: { kind: 'bar', x: 'a', y: [] } }, /y/],
      [{ name: 'n', sql: 'SELECT 1', owner: 'bob' }, /owner/],
    ]
    for (const [body, message] of cases) {
      const res = await send(alice, 'POST', '/api/saved-queries', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect((await res.json()).error.message, JSON.stringify(body)).toMatch(message)
    }
    expect((await call(alice, '/api/saved-queries/not-an-id')).status).toBe(400)
    expect((await call(alice, '/api/saved-queries', { method: 'POST', body: 'name=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
  })
})

describe('SavedQueries (on the data folder)', () => {
  it('refuses a save past the most one tenant keeps, saying how to go on; other tenants are not held back', async () => {
    const store = new DiskObjectStore(server.dataDir)
    const saved = new SavedQueries({ store, now: () => new Date(), max: 3 })
    const carol = tenantId('carol')
    for (const n of [1, 2, 3]) await saved.create(carol, { name: `q${n}`, sql: 'SELECT 1' })
    await expect(saved.create(carol, { name: 'q4', sql: 'SELECT 1' })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/delete some/) })
    await expect(saved.create(tenantId('dave'), { name: 'q1', sql: 'SELECT 1' })).resolves.toMatchObject({ name: 'q1' })
  })

  it('loses neither of two renames at once: the later wins, and both are conditional writes', async () => {
    const store = new DiskObjectStore(server.dataDir)
    const saved = new SavedQueries({ store, now: () => new Date() })
    const erin = tenantId('erin')
    const q = await saved.create(erin, { name: 'start', sql: 'SELECT 1' })
    const results = await Promise.all([saved.update(erin, q.savedQueryId, { name: 'a' }), saved.update(erin, q.savedQueryId, { description: 'b' })])
    expect(results).toHaveLength(2)
    // Each change was applied to what the other wrote: the name and the description are both there.
    expect(await saved.get(erin, q.savedQueryId)).toMatchObject({ name: 'a', description: 'b' })
  })
})
