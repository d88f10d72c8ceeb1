import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'
import { asUsers } from '../testing/as-users.ts'

// Table versions over real HTTP on the local gateway: real uploads, the real ingest state
// machine, real DuckDB reading the versions' Parquet parts; identity on, so a second tenant
// (another signed-in user) is there to try what is not its own.

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

const { call, send, load } = asUsers(() => server.url)

async function rows(token: string, sql: string) {
  const res = await send(token, 'POST', '/api/query', { sql, waitMs: 10_000 })
  const body = await res.json()
  if (res.status !== 200) return { status: res.status, error: body.error }
  expect(body.status).toBe('SUCCEEDED')
  return { status: 200, columns: body.columns.map((c: { name: string }) => c.name), rows: body.rows }
}

describe('table versions, time travel and rollback over HTTP', () => {
  it('loads a table three times, lists three versions, queries the first, rolls back to it, and the history says so', async () => {
    await load(alice, 'orders.csv', 'id,amount\n1,10\n2,20\n', { table: 'orders', mode: 'create' })
    await load(alice, 'more.csv', 'id,amount\n3,30\n', { table: 'orders', mode: 'append' })
    await load(alice, 'new.csv', 'id,item\n7,pen\n', { table: 'orders', mode: 'replace' })

    const history = await (await call(alice, '/api/tables/orders/versions')).json()
    expect(history).toMatchObject({ table: 'orders', current: 3, retention: { days: 30, max: 100 } })
    expect(history.versions.map((v: Record<string, unknown>) => [v.version, v.operation, v.fileName, v.rowsAdded, v.rowsRemoved, v.rowCount, v.current])).toEqual([
      [3, 'replace', 'new.csv', 1, 3, 1, true],
      [2, 'append', 'more.csv', 1, 0, 3, false],
      [1, 'create', 'orders.csv', 2, 0, 2, false],
    ])
    expect(history.versions[0].columns.map((c: { name: string }) => c.name)).toEqual(['id', 'item'])
    expect(history.versions[2].columns).toEqual([{ name: 'id', type: 'bigint' }, { name: 'amount', type: 'bigint' }])
    expect(history.versions[0].parts).toBeUndefined()

    // Version 1, with its own schema; version 2 with the append; the current one as it is.
    expect(await rows(alice, 'SELECT orders.id, amount FROM orders FOR VERSION AS OF 1 ORDER BY id')).toEqual({ status: 200, columns: ['id', 'amount'], rows: [[1, 10], [2, 20]] })
    expect((await rows(alice, 'SELECT count(*) AS n FROM orders AT (VERSION => 2)')).rows).toEqual([[3]])
    expect((await rows(alice, 'SELECT * FROM orders')).rows).toEqual([[7, 'pen']])
    // Two versions side by side in one query.
    expect((await rows(alice, 'SELECT a.id FROM orders FOR VERSION AS OF 2 a JOIN orders FOR VERSION AS OF 1 b USING (id) ORDER BY 1')).rows).toEqual([[1], [2]])
    // By time: just after version 1 was made, version 1 was current.
    const oneAt = history.versions[2].at.replace('Z', '')
    expect((await rows(alice, `SELECT count(*) FROM orders FOR TIMESTAMP AS OF '${oneAt}'`)).rows).toEqual([[2]])

    const rolled = await send(alice, 'POST', '/api/tables/orders/rollback', { version: 1 })
    expect(rolled.status).toBe(200)
    const after = await rolled.json()
    expect(after.current).toBe(4)
    expect(after.versions[0]).toMatchObject({ version: 4, operation: 'rollback', rolledBackTo: 1, rowsAdded: 2, rowsRemoved: 1, rowCount: 2, current: true })
    expect(after.versions).toHaveLength(4)
    expect((await rows(alice, 'SELECT * FROM orders ORDER BY id')).rows).toEqual([[1, 10], [2, 20]])
    // Nothing was deleted: version 3 can still be read, and the list shows the current table.
    expect((await rows(alice, 'SELECT item FROM orders FOR VERSION AS OF 3')).rows).toEqual([['pen']])
    const { tables } = await (await call(alice, '/api/tables')).json()
    expect(tables.find((t: { name: string }) => t.name === 'orders')).toMatchObject({ rowCount: 2, columns: [{ name: 'id' }, { name: 'amount' }] })
    expect(tables[0].versions).toBeUndefined()
    expect(tables[0].keptParts).toBeUndefined()
    const parts = (await readdir(join(server.dataDir, 'lake'), { recursive: true })).filter((f) => f.endsWith('.parquet'))
    expect(parts).toHaveLength(3)
  })

  it('answers a version that is not kept, the current version, a bad body or another tenant with a 4xx that says what to do', async () => {
    await load(alice, 'kept.csv', 'k\n1\n', { table: 'kept', mode: 'create' })
    await load(alice, 'kept2.csv', 'k\n2\n', { table: 'kept', mode: 'append' })

    const missing = await send(alice, 'POST', '/api/tables/kept/rollback', { version: 9 })
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.message).toBe('kept has no version 9; its kept versions are 1 to 2.')
    const current = await send(alice, 'POST', '/api/tables/kept/rollback', { version: 2 })
    expect(current.status).toBe(409)
    expect((await current.json()).error.message).toMatch(/already the current version/)
    for (const body of [{}, { version: 0 }, { version: 'one' }, { version: 1, extra: true }]) {
      expect((await send(alice, 'POST', '/api/tables/kept/rollback', body)).status).toBe(400)
    }
    expect((await call(alice, '/api/tables/kept/rollback', { method: 'POST', body: 'version=1', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
    expect((await call(alice, '/api/tables/Bad-Name/versions')).status).toBe(400)

    // Bob has no table "kept": not its versions, not a rollback, not a version in SQL.
    expect((await call(bob, '/api/tables/kept/versions')).status).toBe(404)
    expect((await send(bob, 'POST', '/api/tables/kept/rollback', { version: 1 })).status).toBe(404)
    const travel = await rows(bob, 'SELECT *\nFROM kept FOR VERSION AS OF 1')
    expect(travel).toMatchObject({ status: 400, error: { code: 'SQL_ERROR', message: 'There is no table kept to read an earlier version of.', line: 2, column: 6 } })
    // And Alice's was not rolled back.
    expect((await (await call(alice, '/api/tables/kept/versions')).json()).current).toBe(2)
  })

  it('answers time travel to a version not kept as a SQL error at its line, and records it in the history', async () => {
    await load(alice, 'once.csv', 'k\n1\n', { table: 'once', mode: 'create' })
    const res = await rows(alice, 'SELECT 1\nFROM once FOR VERSION AS OF 5')
    expect(res).toMatchObject({ status: 400, error: { code: 'SQL_ERROR', message: 'once has no version 5; its only kept version is 1.', line: 2, column: 6 } })
    const [latest] = (await (await call(alice, '/api/queries?limit=1')).json()).queries
    expect(latest).toMatchObject({ status: 'FAILED', error: { code: 'SQL_ERROR' } })
  })

  it('a dropped table takes every version with it', async () => {
    await load(alice, 'gone.csv', 'k\n1\n', { table: 'gone', mode: 'create' })
    await load(alice, 'gone2.csv', 'k\n2\n', { table: 'gone', mode: 'replace' })
    expect((await call(alice, '/api/tables/gone', { method: 'DELETE' })).status).toBe(200)
    expect((await call(alice, '/api/tables/gone/versions')).status).toBe(404)
    const left = (await readdir(join(server.dataDir, 'lake'), { recursive: true })).filter((f) => f.includes('gone'))
    expect(left).toEqual([])
  })
})
