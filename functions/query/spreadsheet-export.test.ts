import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { postJson, startTestServer, type TestServer } from '../testing/test-server.ts'

// GET /api/query/{id}/results.csv?safe=spreadsheet: the export with formula-looking text cells
// neutralised for spreadsheets (CSV injection), over HTTP as a user downloads it.

const FORMULAS = `SELECT * FROM (VALUES ('=HYPERLINK("x")', '@SUM(A1)', '+1', '-x', -5, 'plain', '-5')) t(a, b, c, d, n, e, f)`

describe('spreadsheet-safe CSV export', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  const queryOf = async (sql: string) => {
    const res = await postJson(server.url, '/api/query', { sql, waitMs: 10_000 })
    const body = await res.json()
    expect(body).toMatchObject({ status: 'SUCCEEDED' })
    return body.queryId as string
  }

  it('prefixes text cells starting with = @ + - with a quote, and leaves the number -5 alone', async () => {
    const queryId = await queryOf(FORMULAS)
    const plain = await fetch(`${server.url}/api/query/${queryId}/results.csv`)
    expect(await plain.text()).toBe('a,b,c,d,n,e,f\n"=HYPERLINK(""x"")",@SUM(A1),+1,-x,-5,plain,-5\n')
    const safe = await fetch(`${server.url}/api/query/${queryId}/results.csv?safe=spreadsheet`)
    expect(safe.status).toBe(200)
    expect(safe.headers.get('content-type')).toMatch(/text\/csv/)
    expect(await safe.text()).toBe(`a,b,c,d,n,e,f\n"'=HYPERLINK(""x"")",'@SUM(A1),'+1,'-x,-5,plain,'-5\n`)
  })

  it('neutralises a big result (written by DuckDB from Parquet) the same way, row by row', async () => {
    const queryId = await queryOf(
      "SELECT i, CASE WHEN i % 2 = 0 THEN '=1+' || i ELSE '-' || i END AS s, -i AS n, i::VARCHAR AS t FROM range(1, 2501) r(i) ORDER BY i",
    )
    const lines = (await (await fetch(`${server.url}/api/query/${queryId}/results.csv?safe=spreadsheet`)).text()).trimEnd().split('\n')
    expect(lines).toHaveLength(2501)
    expect(lines.slice(0, 3)).toEqual(['i,s,n,t', "1,'-1,-1,1", "2,'=1+2,-2,2"])
    expect(lines[2500]).toBe("2500,'=1+2500,-2500,2500")
  })

  it('refuses an unknown safe mode with 400 naming the parameter', async () => {
    const queryId = await queryOf('SELECT 1 AS n')
    const res = await fetch(`${server.url}/api/query/${queryId}/results.csv?safe=excel`)
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({ code: 'BAD_REQUEST', field: 'safe' })
  })

  it('describes the option in the OpenAPI document', async () => {
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json()
    const params = doc.paths['/api/query/{queryId}/results.csv'].get.parameters as { name: string; description?: string }[]
    expect(params.find((p) => p.name === 'safe')?.description).toMatch(/single quote/)
  })
})

describe('spreadsheet-safe CSV export through a signed download link', () => {
  let issuer: TestIssuer
  let server: TestServer
  beforeAll(async () => {
    issuer = await startTestIssuer()
    server = await startTestServer(issuer.env())
  })
  afterAll(async () => {
    await server.close()
    await issuer.close()
  })

  it('opens with safe=spreadsheet before or after the access token, and the token still opens only its query', async () => {
    const alice = { authorization: `Bearer ${await issuer.sign({ sub: 'auth0|erin' })}` }
    const run = async (sql: string) =>
      (await (await fetch(`${server.url}/api/query`, { method: 'POST', body: JSON.stringify({ sql, waitMs: 10_000 }), headers: { ...alice, 'content-type': 'application/json' } })).json()).queryId as string
    const queryId = await run(FORMULAS)
    const other = await run('SELECT 1 AS n')
    const link = await (await fetch(`${server.url}/api/query/${queryId}/download`, { method: 'POST', headers: alice })).json()
    const access = new URL(link.url, server.url).searchParams.get('access')!
    const expected = `a,b,c,d,n,e,f\n"'=HYPERLINK(""x"")",'@SUM(A1),'+1,'-x,-5,plain,'-5\n`
    for (const url of [`${link.url}&safe=spreadsheet`, `/api/query/${queryId}/results.csv?safe=spreadsheet&access=${access}`]) {
      const res = await fetch(`${server.url}${url}`)
      expect([url, res.status]).toEqual([url, 200])
      expect(await res.text()).toBe(expected)
    }
    expect((await fetch(`${server.url}/api/query/${other}/results.csv?safe=spreadsheet&access=${access}`)).status).toBe(401)
    expect((await fetch(`${server.url}/api/query/${queryId}/results.csv?safe=spreadsheet`)).status).toBe(401)
  })
})
