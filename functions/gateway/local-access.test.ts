import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

/**
 * Local mode without identity trusts whoever reaches it, so it must make sure that is the user at
 * this machine: not a page on another site driving the user's browser (a multipart POST needs no
 * CORS preflight), nor a site whose name was re-pointed at 127.0.0.1 (DNS rebinding).
 */

type Sent = { status: number; body: { error?: { code: string; message: string }; [k: string]: unknown } }

/** One request with exactly these headers (fetch will not send another site's Host). */
function send(base: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer }): Promise<Sent> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        let body: Sent['body'] = {}
        try {
          body = JSON.parse(text)
        } catch {
          // Pages of the UI are not JSON.
        }
        resolve({ status: res.statusCode!, body })
      })
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** A CSV upload as a browser form posts it. */
async function multipart(name = 'people.csv') {
  const form = new FormData()
  form.append('file', new Blob(['name,age\nAda,36\n'], { type: 'text/csv' }), name)
  const req = new Request('http://x/', { method: 'POST', body: form })
  return { body: Buffer.from(await req.arrayBuffer()), type: req.headers.get('content-type')! }
}

async function uploadWith(base: string, headers: Record<string, string>) {
  const { body, type } = await multipart()
  return send(base, { method: 'POST', path: '/api/upload', headers: { 'content-type': type, ...headers }, body })
}

let server: TestServer
let port: string
beforeAll(async () => {
  server = await startTestServer()
  port = new URL(server.url).port
})
afterAll(() => server.close())

const files = async (base = server.url) => ((await (await fetch(`${base}/api/files`)).json()) as { files: unknown[] }).files

describe('without identity: which names the server answers to', () => {
  it('answers localhost, 127.0.0.1 and [::1], with or without the port', async () => {
    for (const host of ['localhost', `localhost:${port}`, '127.0.0.1', `127.0.0.1:${port}`, '[::1]', `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const res = await send(server.url, { path: '/api/files', headers: { host } })
      expect(res.status, host).toBe(200)
    }
  })

  it('refuses another name pointed at this machine (DNS rebinding), saying what to set', async () => {
    for (const host of [`attacker.example:${port}`, 'attacker.example', `localhost.attacker.example:${port}`]) {
      const res = await send(server.url, { path: '/api/files', headers: { host } })
      expect(res.status, host).toBe(403)
      expect(res.body.error?.code).toBe('FORBIDDEN')
      expect(res.body.error?.message).toMatch(/CSVLAKE_ALLOWED_HOSTS/)
      expect(res.body.error?.message).toContain(host.split(':')[0])
    }
    // Nor the UI, nor writes.
    expect((await send(server.url, { path: '/', headers: { host: `attacker.example:${port}` } })).status).toBe(403)
    expect((await uploadWith(server.url, { host: `attacker.example:${port}` })).status).toBe(403)
    expect(await files()).toEqual([])
  })

  it('answers the names listed in CSVLAKE_ALLOWED_HOSTS', async () => {
    const own = await startTestServer({ CSVLAKE_ALLOWED_HOSTS: 'csvlake.lan, Data.Example.com' })
    try {
      const ownPort = new URL(own.url).port
      expect((await send(own.url, { path: '/api/files', headers: { host: `csvlake.lan:${ownPort}` } })).status).toBe(200)
      expect((await send(own.url, { path: '/api/files', headers: { host: 'data.example.com' } })).status).toBe(200)
      expect((await send(own.url, { path: '/api/files', headers: { host: 'other.example.com' } })).status).toBe(403)
    } finally {
      await own.close()
    }
  })
})

describe('without identity: writes from other sites', () => {
  it('refuses an upload posted by a page on another site, and keeps nothing', async () => {
    const foreign: Record<string, string>[] = [
      { origin: 'https://attacker.example' },
      { origin: `http://localhost:${Number(port) + 1}` },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: `http://localhost:${port}`, 'sec-fetch-site': 'cross-site' },
    ]
    for (const headers of foreign) {
      const res = await uploadWith(server.url, { host: `localhost:${port}`, ...headers })
      expect(res.status, JSON.stringify(headers)).toBe(403)
      expect(res.body.error?.code).toBe('FORBIDDEN')
      expect(res.body.error?.message).toMatch(/another site/)
    }
    expect(await files()).toEqual([])
  })

  it('refuses other sites\' deletes and queries too', async () => {
    const foreign = { host: `localhost:${port}`, origin: 'https://attacker.example', 'content-type': 'application/json' }
    expect((await send(server.url, { method: 'DELETE', path: '/api/tables/people', headers: foreign })).status).toBe(403)
    const query = await send(server.url, { method: 'POST', path: '/api/query', headers: foreign, body: Buffer.from('{"sql":"SELECT 1"}') })
    expect(query.status).toBe(403)
  })

  it('accepts writes from its own pages and from tools that send no Origin (curl)', async () => {
    const own = await uploadWith(server.url, { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' })
    expect(own.status).toBe(201)
    const bare = await uploadWith(server.url, { host: `127.0.0.1:${port}` })
    expect(bare.status).toBe(201)
    // Reading, even when another site links here, is not a change.
    expect((await send(server.url, { path: '/api/files', headers: { host: `localhost:${port}`, 'sec-fetch-site': 'cross-site' } })).status).toBe(200)
    expect(await files()).toHaveLength(2)
  })
})

describe('with identity on, the token is the check', () => {
  let issuer: TestIssuer
  let guarded: TestServer
  beforeAll(async () => {
    issuer = await startTestIssuer()
    guarded = await startTestServer(issuer.env())
  })
  afterAll(async () => {
    await guarded.close()
    await issuer.close()
  })

  it('answers any name, and writes from any origin that carry a valid token', async () => {
    const token = { authorization: `Bearer ${await issuer.sign({ sub: 'auth0|alice' })}` }
    const behindIngress = { host: 'csvlake.example.com', ...token }
    expect((await send(guarded.url, { path: '/api/files', headers: behindIngress })).status).toBe(200)
    expect((await uploadWith(guarded.url, { ...behindIngress, origin: 'https://app.example.com' })).status).toBe(201)
    // Without a token a browser sends nothing on its own: the other site gets a 401, not the data.
    expect((await uploadWith(guarded.url, { host: 'csvlake.example.com', origin: 'https://attacker.example' })).status).toBe(401)
  })
})
