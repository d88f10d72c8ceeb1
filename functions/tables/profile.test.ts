import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'
import { asUsers } from '../testing/as-users.ts'

// GET /api/tables/{name} over real HTTP on the local gateway: real uploads through the real
// ingest state machine, whose conversion profiles each Parquet part with DuckDB; identity on,
// so a second tenant is there to try what is not its own.

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

const { call, load } = asUsers(() => server.url)

/** The profile files under a table's folder in the data folder, whoever's tenant it is. */
async function profileFiles(table: string): Promise<string[]> {
  const files = await readdir(join(server.dataDir, 'lake'), { recursive: true })
  return files.filter((f) => f.endsWith('_profile.json') && f.split('/')[1] === table).map((f) => join(server.dataDir, 'lake', f))
}

const ORDERS = 'id,item,price,day,paid\n1,pen,2.50,2024-01-01,true\n2,pen,,2024-01-03,false\n3,ink,10.00,2024-01-31,true\n'

describe('GET /api/tables/{name}: a table with its column profiles', () => {
  it('answers the table and the profile of every column, computed when it was loaded', async () => {
    await load(alice, 'orders.csv', ORDERS, { table: 'orders', mode: 'create' })
    const res = await call(alice, '/api/tables/orders')
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ name: 'orders', rowCount: 3, partial: false, profiledRows: 3 })
    expect(body.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'item', 'price', 'day', 'paid'])
    expect(body).not.toHaveProperty('parts')
    expect(body).not.toHaveProperty('tenant')
    const by = Object.fromEntries(body.profile.map((c: { name: string }) => [c.name, c]))
    expect(by.id).toMatchObject({ type: 'bigint', rows: 3, nulls: 0, distinct: 3, distinctApprox: false, min: 1, max: 3 })
    expect(by.id.histogram.map((b: { count: number }) => b.count)).toEqual([1, 1, 1])
    expect(by.item).toMatchObject({ type: 'string', nulls: 0, distinct: 2, min: 'ink', max: 'pen', top: [{ value: 'pen', count: 2 }, { value: 'ink', count: 1 }] })
    expect(by.price).toMatchObject({ nulls: 1, distinct: 2, min: 2.5, max: 10 })
    expect(by.day).toMatchObject({ type: 'date', nulls: 0, min: '2024-01-01', max: '2024-01-31' })
    expect(by.day.histogram).toHaveLength(20)
    expect(by.paid).toMatchObject({ type: 'boolean', distinct: 2, min: false, max: true, top: [{ value: 'true', count: 2 }, { value: 'false', count: 1 }] })
  })

  it('merges the profiles of an append with the table\'s, and an old part without one makes the profile partial', async () => {
    await load(alice, 'a.csv', 'n,tag\n1,x\n2,x\n', { table: 'merged', mode: 'create' })
    await load(alice, 'b.csv', 'n,tag\n5,y\n,x\n', { table: 'merged', mode: 'append' })
    const merged = await (await call(alice, '/api/tables/merged')).json()
    expect(merged).toMatchObject({ rowCount: 4, partial: false, profiledRows: 4 })
    expect(merged.profile[0]).toMatchObject({ name: 'n', rows: 4, nulls: 1, min: 1, max: 5 })
    expect(merged.profile[1]).toMatchObject({ name: 'tag', rows: 4, nulls: 0, top: [{ value: 'x', count: 3 }, { value: 'y', count: 1 }] })

    // As a part loaded before profiles were kept: its profile file is not there.
    const [first] = (await profileFiles('merged')).sort()
    await rm(first!)
    const partial = await (await call(alice, '/api/tables/merged')).json()
    expect(partial.partial).toBe(true)
    expect(partial.profiledRows).toBe(2)
    expect(partial.rowCount).toBe(4)
    expect(partial.profile.map((c: { rows: number }) => c.rows)).toEqual([2, 2])
  })

  it("answers 404 with a message for an unknown table, and for another tenant's table", async () => {
    await load(alice, 'secret.csv', 'a\n1\n', { table: 'secret', mode: 'create' })
    const unknown = await call(alice, '/api/tables/nothing_here')
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error).toEqual({ code: 'NOT_FOUND', message: expect.stringContaining('nothing_here') })
    const theirs = await call(bob, '/api/tables/secret')
    expect(theirs.status).toBe(404)
    expect((await theirs.json()).error.code).toBe('NOT_FOUND')
  })

  it('answers 400 naming the rule for a name no table can have', async () => {
    const res = await call(alice, `/api/tables/${encodeURIComponent('bad name;')}`)
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) })
  })
})
