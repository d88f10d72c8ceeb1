import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  // No web build here: / is the landing page (the web UI itself is tested in web/e2e).
  server = await startTestServer({ CSVLAKE_WEB_DIR: '/nonexistent/csvlake-web' })
})
afterAll(() => server.close())

describe('health, config, docs and the landing page', () => {
  it('answers health and config', async () => {
    expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ status: 'ok', mode: 'local' })
    expect(await (await fetch(`${server.url}/api/config`)).json()).toMatchObject({ mode: 'local', identity: { enabled: false } })
  })

  it('serves an OpenAPI document with every public call, and a docs page whose assets are local', async () => {
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/config',
        '/api/files',
        '/api/files/{fileId}',
        '/api/health',
        '/api/job-status',
        '/api/jobs',
        '/api/preview',
        '/api/query',
        '/api/query/{queryId}',
        '/api/query/{queryId}/results.csv',
        '/api/query/{queryId}/download',
        '/api/queries',
        '/api/saved-queries',
        '/api/saved-queries/{savedQueryId}',
        '/api/submit',
        '/api/tables',
        '/api/tables/{name}',
        '/api/tables/{name}/versions',
        '/api/tables/{name}/rollback',
        '/api/upload',
      ].sort(),
    )
    const page = await (await fetch(`${server.url}/api/docs`)).text()
    expect(page).toContain('/api/docs/swagger-ui-bundle.js')
    const asset = await fetch(`${server.url}/api/docs/swagger-ui-bundle.js`)
    expect(asset.status).toBe(200)
    expect((await asset.text()).length).toBeGreaterThan(100_000)
  })

  it('says what csvlake is at / when the web UI is not built, and answers unknown API paths with the error shape', async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toContain('CSV data lake with SQL')
    const res = await fetch(`${server.url}/api/nope`)
    expect(res.status).toBe(404)
    expect((await res.json()).error.code).toBe('NOT_FOUND')
  })
})
