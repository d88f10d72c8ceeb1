import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../testing/test-server.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

async function load(name: string, csv: string, table: string) {
  const file = await (await upload(server.url, name, csv)).json()
  const submitted = await (await postJson(server.url, '/api/submit', { fileId: file.fileId, table })).json()
  return waitForJob(server.url, submitted.jobId)
}

describe('GET /api/jobs', () => {
  it('lists the caller\'s jobs newest first, ended ones with their outcome', async () => {
    const first = await load('a.csv', 'id\n1\n2\n', 'first_table')
    const second = await load('b.csv', 'id,n\n1,x\n2,1\n', 'second_table')
    const res = await fetch(`${server.url}/api/jobs`)
    expect(res.status).toBe(200)
    const { jobs } = await res.json()
    expect(jobs.map((j: { jobId: string }) => j.jobId)).toEqual([second.jobId, first.jobId])
    expect(jobs[0]).toMatchObject({ status: 'SUCCEEDED', fileName: 'b.csv', table: { name: 'second_table', rowCount: 2 } })
    expect(jobs[1].steps.at(-1).name).toBe('IngestSucceeded')
  })

  it('answers at most `limit` jobs, and refuses a limit that is not a count', async () => {
    const { jobs } = await (await fetch(`${server.url}/api/jobs?limit=1`)).json()
    expect(jobs).toHaveLength(1)
    for (const bad of ['0', '-1', 'ten', '1000']) {
      const res = await fetch(`${server.url}/api/jobs?limit=${bad}`)
      expect(res.status, bad).toBe(400)
      expect((await res.json()).error.message).toMatch(/limit/)
    }
  })

  it('pages through the jobs newest first with nextToken, and refuses a token it did not give out', async () => {
    const third = await load('c.csv', 'id\n3\n', 'third_table')
    const first = await (await fetch(`${server.url}/api/jobs?limit=2`)).json()
    expect(first.jobs.map((j: { table: { name: string } }) => j.table.name)).toEqual(['third_table', 'second_table'])
    expect(first.jobs[0].jobId).toBe(third.jobId)
    expect(first.nextToken).toEqual(expect.any(String))
    const rest = await (await fetch(`${server.url}/api/jobs?limit=2&nextToken=${encodeURIComponent(first.nextToken)}`)).json()
    expect(rest.jobs.map((j: { table: { name: string } }) => j.table.name)).toEqual(['first_table'])
    expect(rest.nextToken).toBeUndefined()
    const bad = await fetch(`${server.url}/api/jobs?nextToken=bogus`)
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toMatch(/nextToken/)
  })
})
