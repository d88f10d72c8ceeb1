import { afterEach, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload, type TestServer } from '../testing/test-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('fair sharing between tenants', () => {
  it('refuses an upload past the storage quota with 413, keeping nothing', async () => {
    server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: '1000' })
    const csv = 'id,text\n' + Array.from({ length: 30 }, (_, i) => `${i},some words`).join('\n') + '\n'
    expect((await upload(server.url, 'a.csv', csv)).status).toBe(201)
    const second = await upload(server.url, 'b.csv', csv + csv)
    expect(second.status).toBe(413)
    expect((await second.json()).error.message).toMatch(/storage quota of 1000 bytes.*left/)
    expect((await (await fetch(`${server.url}/api/files`)).json()).files).toHaveLength(1)
  })

  it('answers 429 with Retry-After past the running-query limit, and runs again once one ends', async () => {
    server = await startTestServer({ CSVLAKE_TENANT_MAX_QUERIES: '1' })
    const slow = await postJson(server.url, '/api/query', { sql: 'SELECT count(*) FROM range(100000000000)', waitMs: 50 })
    expect(slow.status).toBe(202)
    const { queryId } = await slow.json()
    const refused = await postJson(server.url, '/api/query', { sql: 'SELECT 1' })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect((await refused.json()).error.message).toMatch(/CSVLAKE_TENANT_MAX_QUERIES/)
    await fetch(`${server.url}/api/query/${queryId}`, { method: 'DELETE' })
    expect((await postJson(server.url, '/api/query', { sql: 'SELECT 1' })).status).toBe(200)
  })

  it('answers 429 past the running-job limit', async () => {
    // Long Wait states keep the first job running while the second is submitted.
    server = await startTestServer({ CSVLAKE_TENANT_MAX_JOBS: '1', CSVLAKE_LOCAL_WAIT_MS: '2000' })
    const a = await (await upload(server.url, 'a.csv', 'x\n1\n')).json()
    const b = await (await upload(server.url, 'b.csv', 'x\n2\n')).json()
    expect((await postJson(server.url, '/api/submit', { fileId: a.fileId })).status).toBe(202)
    const refused = await postJson(server.url, '/api/submit', { fileId: b.fileId })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect((await refused.json()).error.message).toMatch(/CSVLAKE_TENANT_MAX_JOBS/)
  })
})
