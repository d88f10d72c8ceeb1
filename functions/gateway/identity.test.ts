import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

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

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const files = (token?: string) => fetch(`${server.url}/api/files`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })

async function expectRefused(res: Response, message: RegExp) {
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="csvlake"/)
  const body = await res.json()
  expect(body.error.code).toBe('UNAUTHORIZED')
  expect(body.error.message).toMatch(message)
}

describe('JWT verification', () => {
  it('accepts a valid token, and answers health and config without one', async () => {
    expect((await files(await issuer.sign({ sub: 'auth0|alice' }))).status).toBe(200)
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
    const config = await (await fetch(`${server.url}/api/config`)).json()
    expect(config.identity).toMatchObject({ enabled: true, issuer: issuer.issuer, audience: 'https://csvlake.test/api' })
  })

  it('refuses a call without a token, saying how to send one', async () => {
    await expectRefused(await files(), /Authorization: Bearer/)
  })

  it('refuses garbage', async () => {
    await expectRefused(await files('not.a.jwt'), /not a valid JWT/)
  })

  it('refuses alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'auth0|mallory', iss: issuer.issuer, aud: 'https://csvlake.test/api', exp: Math.floor(Date.now() / 1000) + 600 })}.`
    await expectRefused(await files(token), /RS256|not a valid JWT/)
  })

  it('refuses HS256 signed with the public key as the secret', async () => {
    const secret = new TextEncoder().encode(await issuer.publicPem())
    const token = await new SignJWT({ sub: 'auth0|mallory' })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setIssuer(issuer.issuer)
      .setAudience('https://csvlake.test/api')
      .setExpirationTime('10m')
      .sign(secret)
    await expectRefused(await files(token), /RS256/)
  })

  it('refuses an expired token and one not valid yet', async () => {
    await expectRefused(await files(await issuer.sign({ sub: 'auth0|alice' }, { expiresIn: Math.floor(Date.now() / 1000) - 120 })), /expired/)
    await expectRefused(await files(await issuer.sign({ sub: 'auth0|alice' }, { notBefore: '10m' })), /not valid yet/)
  })

  it('refuses a signed token without an expiry (exp): it would be good for ever once leaked', async () => {
    await expectRefused(await files(await issuer.sign({ sub: 'auth0|alice' }, { expiresIn: null })), /no expiry/)
  })

  it('refuses a wrong audience and a wrong issuer', async () => {
    await expectRefused(await files(await issuer.sign({ sub: 'auth0|alice' }, { audience: 'https://other.api' })), /another API/)
    await expectRefused(await files(await issuer.sign({ sub: 'auth0|alice' }, { issuer: 'https://evil.example/' })), /another issuer/)
  })

  it('refuses a key the issuer does not publish, and a tampered payload', async () => {
    const forger = await issuer.forgerKey()
    await expectRefused(await files(await issuer.sign({ sub: 'auth0|alice' }, { kid: forger })), /does not publish/)
    const [header, , signature] = (await issuer.sign({ sub: 'auth0|alice' })).split('.')
    const tampered = `${header}.${b64({ sub: 'auth0|bob', iss: issuer.issuer, aud: 'https://csvlake.test/api', exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`
    await expectRefused(await files(tampered), /signature/)
  })

  it('accepts a token signed by a key the issuer rotated in after start-up', async () => {
    // Its own server: a fresh key cache, re-fetched at most every 100 ms for an unknown key id.
    const own = await startTestServer({ ...issuer.env(), CSVLAKE_AUTH_JWKS_COOLDOWN_MS: '100' })
    try {
      const call = (token: string) => fetch(`${own.url}/api/files`, { headers: { authorization: `Bearer ${token}` } })
      expect((await call(await issuer.sign({ sub: 'auth0|alice' }))).status).toBe(200)
      const kid = await issuer.rotate()
      await new Promise((r) => setTimeout(r, 150))
      const before = issuer.jwksFetches()
      expect((await call(await issuer.sign({ sub: 'auth0|alice' }, { kid }))).status).toBe(200)
      expect(issuer.jwksFetches()).toBe(before + 1)
    } finally {
      await own.close()
    }
  })

  it('answers 503, not 401, when the issuer\'s keys cannot be fetched', async () => {
    const own = await startTestServer({ ...issuer.env(), CSVLAKE_AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' })
    try {
      const res = await fetch(`${own.url}/api/files`, { headers: { authorization: `Bearer ${await issuer.sign({ sub: 'auth0|alice' })}` } })
      expect(res.status).toBe(503)
      expect((await res.json()).error.code).toBe('UNAVAILABLE')
    } finally {
      await own.close()
    }
  })

  it('refuses a call the permissions claim does not grant, with 403', async () => {
    const readOnly = await issuer.sign({ sub: 'auth0|reader', permissions: ['read:data'] })
    expect((await files(readOnly)).status).toBe(200)
    const form = new FormData()
    form.append('file', new Blob(['a,b\n1,2\n']), 'x.csv')
    const res = await fetch(`${server.url}/api/upload`, { method: 'POST', body: form, headers: { authorization: `Bearer ${readOnly}` } })
    expect(res.status).toBe(403)
    expect((await res.json()).error.message).toMatch(/write:data/)
  })
})

describe('two users on one server', () => {
  it('see nothing of each other: files, previews, jobs, tables, queries', async () => {
    const alice = { authorization: `Bearer ${await issuer.sign({ sub: 'auth0|alice' })}` }
    const bob = { authorization: `Bearer ${await issuer.sign({ sub: 'google-oauth2|bob' })}` }
    const json = { 'content-type': 'application/json' }

    const form = new FormData()
    form.append('file', new Blob(['name,age\nAda,36\n']), 'people.csv')
    const { fileId } = await (await fetch(`${server.url}/api/upload`, { method: 'POST', body: form, headers: alice })).json()
    const submitted = await (await fetch(`${server.url}/api/submit`, { method: 'POST', body: JSON.stringify({ fileId }), headers: { ...alice, ...json } })).json()
    for (;;) {
      const job = await (await fetch(`${server.url}/api/job-status?jobId=${submitted.jobId}`, { headers: alice })).json()
      if (job.status === 'SUCCEEDED') break
      expect(job.status).toBe('RUNNING')
      await new Promise((r) => setTimeout(r, 20))
    }
    const query = await (await fetch(`${server.url}/api/query`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT * FROM people' }), headers: { ...alice, ...json } })).json()
    expect(query.rows).toEqual([['Ada', 36]])

    // Bob asks for each of Alice's ids: 404, exactly as an id that does not exist.
    expect((await fetch(`${server.url}/api/preview?fileId=${fileId}`, { headers: bob })).status).toBe(404)
    expect((await fetch(`${server.url}/api/submit`, { method: 'POST', body: JSON.stringify({ fileId }), headers: { ...bob, ...json } })).status).toBe(404)
    expect((await fetch(`${server.url}/api/job-status?jobId=${submitted.jobId}`, { headers: bob })).status).toBe(404)
    expect((await fetch(`${server.url}/api/query/${query.queryId}`, { headers: bob })).status).toBe(404)
    expect((await fetch(`${server.url}/api/query/${query.queryId}/results.csv`, { headers: bob })).status).toBe(404)
    expect((await fetch(`${server.url}/api/files/${fileId}`, { method: 'DELETE', headers: bob })).status).toBe(404)
    expect((await fetch(`${server.url}/api/tables/people`, { method: 'DELETE', headers: bob })).status).toBe(404)
    const theirs = await fetch(`${server.url}/api/query`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT * FROM people' }), headers: { ...bob, ...json } })
    expect(theirs.status).toBe(400)
    expect((await theirs.json()).error.message).toMatch(/people/)
    expect((await (await fetch(`${server.url}/api/files`, { headers: bob })).json()).files).toEqual([])
    expect((await (await fetch(`${server.url}/api/tables`, { headers: bob })).json()).tables).toEqual([])
    expect((await (await fetch(`${server.url}/api/jobs`, { headers: bob })).json()).jobs).toEqual([])
    expect((await (await fetch(`${server.url}/api/jobs`, { headers: alice })).json()).jobs.map((j: { jobId: string }) => j.jobId)).toEqual([submitted.jobId])

    // Names are per tenant: Bob has a people table of his own.
    const form2 = new FormData()
    form2.append('file', new Blob(['name,age\nGrace,45\nLinus,30\n']), 'people.csv')
    const bobs = await (await fetch(`${server.url}/api/upload`, { method: 'POST', body: form2, headers: bob })).json()
    const bobJob = await (await fetch(`${server.url}/api/submit`, { method: 'POST', body: JSON.stringify({ fileId: bobs.fileId }), headers: { ...bob, ...json } })).json()
    expect(bobJob.table).toBe('people')
    for (;;) {
      const job = await (await fetch(`${server.url}/api/job-status?jobId=${bobJob.jobId}`, { headers: bob })).json()
      if (job.status !== 'RUNNING') break
      await new Promise((r) => setTimeout(r, 20))
    }
    const count = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/query`, { method: 'POST', body: JSON.stringify({ sql: 'SELECT count(*) FROM people' }), headers: { ...headers, ...json } }).then((r) => r.json())
    expect((await count(bob)).rows).toEqual([[2]])
    expect((await count(alice)).rows).toEqual([[1]])

    // Nor can Bob's SQL reach Alice's data, the engine's settings or the machine.
    const { existsSync, readdirSync } = await import('node:fs')
    const aliceTenant = readdirSync(`${server.dataDir}/lake`).find((t) => t.startsWith('u-auth0-alice'))!
    const corpus = [
      `SELECT * FROM read_parquet('${server.dataDir}/lake/${aliceTenant}/people/*/data.parquet')`,
      `SELECT * FROM '${server.dataDir}/lake/${aliceTenant}/people/*/data.parquet'`,
      `SELECT * FROM read_csv('${server.dataDir}/raw/${aliceTenant}/${fileId}/data')`,
      `SELECT * FROM glob('${server.dataDir}/**')`,
      "SELECT getenv('HOME')",
      "SELECT current_setting('allowed_directories')",
      'SELECT * FROM duckdb_settings()',
      `COPY (SELECT 1) TO '${server.dataDir}/../csvlake-escape.csv'`,
      "ATTACH ':memory:' AS other",
      'SET enable_external_access = true',
    ]
    for (const sql of corpus) {
      const res = await fetch(`${server.url}/api/query`, { method: 'POST', body: JSON.stringify({ sql }), headers: { ...bob, ...json } })
      expect([400, 403], sql).toContain(res.status)
    }
    expect(existsSync(`${server.dataDir}/../csvlake-escape.csv`)).toBe(false)
    expect((await count(bob)).rows).toEqual([[2]])
  })
})

describe('signed download links', () => {
  it('open one export without the bearer token, and nothing else', async () => {
    const alice = { authorization: `Bearer ${await issuer.sign({ sub: 'auth0|carla' })}` }
    const bob = { authorization: `Bearer ${await issuer.sign({ sub: 'auth0|dan' })}` }
    const json = { 'content-type': 'application/json' }
    const run = async (sql: string) => (await (await fetch(`${server.url}/api/query`, { method: 'POST', body: JSON.stringify({ sql }), headers: { ...alice, ...json } })).json()).queryId as string
    const first = await run("SELECT 1 AS n, 'a, b' AS s")
    const second = await run('SELECT 2 AS n')

    // Making a link needs the token, and only the owner gets one.
    expect((await fetch(`${server.url}/api/query/${first}/download`, { method: 'POST' })).status).toBe(401)
    expect((await fetch(`${server.url}/api/query/${first}/download`, { method: 'POST', headers: bob })).status).toBe(404)
    const link = await (await fetch(`${server.url}/api/query/${first}/download`, { method: 'POST', headers: alice })).json()
    expect(link.url).toMatch(new RegExp(`^/api/query/${first}/results\\.csv\\?access=`))
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(30_000)

    // The link alone opens that export.
    const res = await fetch(`${server.url}${link.url}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('n,s\n1,"a, b"\n')

    // It does not open another query's export, nor any other call.
    const access = new URL(link.url, server.url).searchParams.get('access')!
    const other = await fetch(`${server.url}/api/query/${second}/results.csv?access=${access}`)
    expect(other.status).toBe(401)
    expect((await other.json()).error.message).toMatch(/another query/)
    expect((await fetch(`${server.url}/api/files?access=${access}`)).status).toBe(401)
    expect((await fetch(`${server.url}/api/query/${first}?access=${access}`)).status).toBe(401)
    const forged = await fetch(`${server.url}/api/query/${first}/results.csv?access=${access.slice(0, -3)}xyz`)
    expect(forged.status).toBe(401)
    expect((await forged.json()).error.message).toMatch(/not valid/)
    // A path that is not a query id at all is refused, not a server error.
    for (const path of ['/api/query/%E0%A4%A/results.csv', '/api/query/%ZZ/results.csv']) {
      const res = await fetch(`${server.url}${path}?access=${access}`)
      expect(res.status, path).toBe(401)
    }
  })

  it('are refused for a query that has not succeeded', async () => {
    const alice = { authorization: `Bearer ${await issuer.sign({ sub: 'auth0|carla' })}`, 'content-type': 'application/json' }
    const sql = 'SELECT count(*) FROM range(1000000000) a, range(1000) b'
    const running = await (await fetch(`${server.url}/api/query`, { method: 'POST', body: JSON.stringify({ sql, waitMs: 0 }), headers: alice })).json()
    expect(running.status).toBe('RUNNING')
    const res = await fetch(`${server.url}/api/query/${running.queryId}/download`, { method: 'POST', headers: alice })
    expect(res.status).toBe(409)
    expect((await res.json()).error.message).toMatch(/running/)
    await fetch(`${server.url}/api/query/${running.queryId}`, { method: 'DELETE', headers: alice })
  })
})
