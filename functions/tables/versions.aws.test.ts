import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAwsTestServer, type AwsTestServer } from '../testing/aws-test-server.ts'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { asUsers } from '../testing/as-users.ts'

// Table versions in aws mode (README, "Table versions on AWS"): Glue table versions are the
// history - the state machine's UpdateTable archives the table as it was - and a rollback is an
// UpdateTable with an old version's parts and columns; Athena reads an earlier version through a
// hidden table made from it. S3 on s3rver; Glue, Athena and Step Functions doubles written from
// the AWS API references (Glue's table versions included); the prepare program runs the Jobs on
// the bucket's bytes.

/** The SQL Athena was given, in order. */
const athenaSql: string[] = []
let issuer: TestIssuer
let server: AwsTestServer
let token: string
beforeAll(async () => {
  issuer = await startTestIssuer()
  server = await startAwsTestServer({
    env: issuer.env(),
    answers: (sql) => {
      athenaSql.push(sql)
      return { columns: [{ Name: 'n', Type: 'bigint' }], rows: [['1']] }
    },
    aws: { columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }] },
    realJobs: true,
  })
  token = await issuer.sign({ sub: 'team-v' })
})
afterAll(async () => {
  await server?.close()
  await issuer?.close()
})

const users = asUsers(() => server.url)
const call = (path: string, init: RequestInit = {}) => users.call(token, path, init)
const load = (name: string, csv: string, submit: Record<string, unknown>) => users.load(token, name, csv, submit)

describe('table versions in aws mode: Glue table versions (doubles written from the AWS API references)', () => {
  it('lists a version per load from Glue\'s table versions, rolls back as a new version keeping every part, and reads an earlier version through a hidden table', async () => {
    expect(await load('people.csv', 'id,name\n1,Ada\n2,Grace\n', { table: 'people', mode: 'create' })).toMatchObject({ status: 'SUCCEEDED' })
    expect(await load('more.csv', 'id,name\n3,Lin\n', { table: 'people', mode: 'append' })).toMatchObject({ status: 'SUCCEEDED' })
    expect(await load('new.csv', 'id,name\n9,Zed\n', { table: 'people', mode: 'replace' })).toMatchObject({ status: 'SUCCEEDED' })

    const history = await (await call('/api/tables/people/versions')).json()
    expect(history).toMatchObject({ table: 'people', current: 3 })
    expect(history.versions.map((v: Record<string, unknown>) => [v.version, v.operation, v.fileName, v.rowsAdded, v.rowsRemoved, v.rowCount, v.current])).toEqual([
      [3, 'replace', 'new.csv', 1, 3, 1, true],
      [2, 'append', 'more.csv', 1, 0, 3, false],
      [1, 'create', 'people.csv', 2, 0, 2, false],
    ])
    // The replace deleted nothing: versions 1 and 2 still read their parts.
    const parts = async () => (await collect(server.services.store.keys('lake/'))).filter((k) => k.endsWith('data.parquet'))
    expect(await parts()).toHaveLength(3)

    const rolled = await call('/api/tables/people/rollback', { method: 'POST', body: JSON.stringify({ version: 1 }) })
    expect(rolled.status).toBe(200)
    expect((await rolled.json()).versions[0]).toMatchObject({ version: 4, operation: 'rollback', rolledBackTo: 1, rowsAdded: 2, rowsRemoved: 1, rowCount: 2, current: true })
    const tables = (await (await call('/api/tables')).json()).tables
    expect(tables.find((t: { name: string }) => t.name === 'people')).toMatchObject({ rowCount: 2 })
    expect(await parts()).toHaveLength(3)

    // Version 2 (two parts, the first columns), through a hidden table made from it; `people.id` still names a column.
    const travel = await call('/api/query', { method: 'POST', body: JSON.stringify({ sql: 'SELECT people.id\nFROM people FOR VERSION AS OF 2\nWHERE id > 0', waitMs: 5000 }) })
    const answered = await travel.json()
    expect(travel.status, JSON.stringify(answered)).toBe(200)
    expect(answered.status).toBe('SUCCEEDED')
    const sent = athenaSql.at(-1)!
    const hidden = /"(people__v2__[0-9a-f]{64})" AS people/.exec(sent)?.[1]
    expect(hidden, sent).toBeDefined()
    expect(sent.split('\n')).toHaveLength(3)
    expect(sent).toMatch(/^SELECT people\.id\n/)
    const database = [...server.aws.tables.values()].find((t) => t.Name === 'people')!.DatabaseName
    const made = server.aws.tables.get(`${database}.${hidden}`)!
    expect(made.Parameters['projection.ingest_job.values']!.split(',')).toHaveLength(2)
    expect(made.StorageDescriptor.Columns).toEqual([{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }])
    expect(made.StorageDescriptor.Location).toBe([...server.aws.tables.values()].find((t) => t.Name === 'people')!.StorageDescriptor.Location)
    // With an alias, none is added; the hidden table is made once.
    await call('/api/query', { method: 'POST', body: JSON.stringify({ sql: 'SELECT p.id FROM people FOR VERSION AS OF 2 p', waitMs: 5000 }) })
    expect(athenaSql.at(-1)).toMatch(new RegExp(`^SELECT p\\.id FROM "${hidden}" p$`))
    // It is not one of the tenant's tables; dropping the table drops it too.
    expect((await (await call('/api/tables')).json()).tables.map((t: { name: string }) => t.name)).toEqual(['people'])

    expect((await call('/api/tables/people/rollback', { method: 'POST', body: JSON.stringify({ version: 9 }) })).status).toBe(404)
    expect((await call('/api/tables/nope/versions')).status).toBe(404)
    expect((await call('/api/tables/people', { method: 'DELETE' })).status).toBe(200)
    expect(server.aws.tables.has(`${database}.${hidden}`)).toBe(false)
  })
})

describe('table version retention in aws mode (doubles written from the AWS API references)', () => {
  it('with no history kept (CSVLAKE_TABLE_VERSION_DAYS=0), forgets the replaced version in Glue and deletes its parts and hidden table once the load has ended', async () => {
    const bare = await startAwsTestServer({
      env: { ...issuer.env(), CSVLAKE_TABLE_VERSION_DAYS: '0' },
      answers: () => ({ columns: [{ Name: 'n', Type: 'bigint' }], rows: [['1']] }),
      aws: { columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }] },
      realJobs: true,
    })
    const saved = server
    server = bare
    try {
      expect(await load('a.csv', 'id,name\n1,Ada\n', { table: 'gone', mode: 'create' })).toMatchObject({ status: 'SUCCEEDED' })
      // Version 1 read through its hidden table, which Athena's time travel made.
      expect((await call('/api/query', { method: 'POST', body: JSON.stringify({ sql: 'SELECT * FROM gone FOR VERSION AS OF 1', waitMs: 5000 }) })).status).toBe(200)
      const hidden = () => [...bare.aws.tables.keys()].filter((k) => /\.gone__v1__/.test(k))
      expect(hidden()).toHaveLength(1)
      expect(await load('b.csv', 'id,name\n2,Bo\n', { table: 'gone', mode: 'replace' })).toMatchObject({ status: 'SUCCEEDED' })
      // The job's end, read once, applied the retention: version 1, its part and its hidden table are gone.
      await expect.poll(async () => (await collect(bare.services.store.keys('lake/'))).filter((k) => k.endsWith('data.parquet')).length, { timeout: 10_000 }).toBe(1)
      expect(hidden()).toEqual([])
      const history = await (await call('/api/tables/gone/versions')).json()
      expect(history.versions.map((v: { version: number }) => v.version)).toEqual([2])
    } finally {
      server = saved
      await bare.close()
    }
  })
})

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const k of keys) all.push(k)
  return all
}
