import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAwsTestServer, type AwsTestServer } from '../testing/aws-test-server.ts'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

// What aws mode does with table versions until Glue table versions are built (README, "Table
// versions on AWS"): the same API, answering the current version as the only one, and time travel
// refused in words. S3 on s3rver; Glue, Athena and Step Functions doubles written from the AWS API
// references; the prepare program runs the Jobs on the bucket's bytes.

let issuer: TestIssuer
let server: AwsTestServer
let token: string
beforeAll(async () => {
  issuer = await startTestIssuer()
  server = await startAwsTestServer({
    env: issuer.env(),
    answers: () => ({ columns: [{ Name: 'n', Type: 'bigint' }], rows: [['1']] }),
    aws: { columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }] },
    realJobs: true,
  })
  token = await issuer.sign({ sub: 'team-v' })
})
afterAll(async () => {
  await server?.close()
  await issuer?.close()
})

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}), ...init.headers } })

async function load(name: string, csv: string, submit: Record<string, unknown>) {
  const form = new FormData()
  form.append('file', new Blob([csv], { type: 'text/csv' }), name)
  const { fileId } = await (await call('/api/upload', { method: 'POST', body: form })).json()
  const { jobId } = await (await call('/api/submit', { method: 'POST', body: JSON.stringify({ fileId, ...submit }) })).json()
  for (let i = 0; i < 500; i++) {
    const job = await (await call(`/api/job-status?jobId=${jobId}`)).json()
    if (job.status !== 'RUNNING') return job
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('job still running')
}

describe('table versions in aws mode, before Glue table versions are built (doubles written from the AWS API references)', () => {
  it('answers the current version as the only one, refuses time travel in words at its line, and has nothing to roll back to', async () => {
    expect(await load('people.csv', 'id,name\n1,Ada\n2,Grace\n', { table: 'people', mode: 'create' })).toMatchObject({ status: 'SUCCEEDED' })
    expect(await load('more.csv', 'id,name\n3,Lin\n', { table: 'people', mode: 'append' })).toMatchObject({ status: 'SUCCEEDED' })

    const history = await (await call('/api/tables/people/versions')).json()
    expect(history).toMatchObject({ table: 'people', current: 1 })
    expect(history.versions).toHaveLength(1)
    expect(history.versions[0]).toMatchObject({ version: 1, current: true, rowCount: 3, columns: [{ name: 'id' }, { name: 'name' }] })

    const travel = await call('/api/query', { method: 'POST', body: JSON.stringify({ sql: 'SELECT *\nFROM people FOR VERSION AS OF 1', waitMs: 5000 }) })
    expect(travel.status).toBe(400)
    expect((await travel.json()).error).toMatchObject({ code: 'SQL_ERROR', line: 2, message: expect.stringMatching(/not available on this deployment yet/) })

    const rollback = await call('/api/tables/people/rollback', { method: 'POST', body: JSON.stringify({ version: 1 }) })
    expect(rollback.status).toBe(409)
    expect((await call('/api/tables/nope/versions')).status).toBe(404)
  })
})
