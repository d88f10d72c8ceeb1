import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { Logger } from '../logger.ts'
import { LOCAL_TENANT } from '../tenant.ts'
import { downloadLinks } from './download-links.ts'
import type { TenantEnv } from './openapi.ts'
import { createRootApp } from './root-app.ts'
import { saneRequestId, type RequestObservation } from './request-log.ts'

type Line = { level: string; message: string; [field: string]: unknown }

function capture() {
  const lines: Line[] = []
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...fields })
  const log: Logger = { info: at('info'), warn: at('warn'), error: at('error') }
  return { log, lines, requests: () => lines.filter((l) => l.message === 'request') }
}

const config = { auth: { enabled: false as const }, host: undefined, allowedHosts: [], downloadSecret: 'download-secret-for-tests' }

/** The root app every function runs behind, over a few routes shaped like the API's. */
function appWith(log: Logger, observe?: (r: RequestObservation) => void) {
  const root = createRootApp(log, config, { name: 'query', ...(observe ? { metrics: { observeRequest: observe } as never } : {}) })
  const api = new Hono<TenantEnv>()
  api.get('/api/query/:queryId', (c) => c.json({ queryId: c.req.param('queryId') }))
  api.post('/api/query', async (c) => c.json({ received: (await c.req.text()).length }, 201))
  // A response made elsewhere, with headers that cannot be changed (as a fetched one has).
  api.get('/api/fetched', () => Response.redirect('http://localhost/api/query/q1', 302))
  api.get('/api/query/:queryId/results.csv', (c) => c.text('a\n1\n'))
  root.get('/healthz', (c) => c.json({ status: 'ok' }))
  root.route('/', api)
  return root
}

describe('the request log', () => {
  it('writes one JSON line per request with its id, function, route pattern, method, tenant, status, latency and bytes', async () => {
    const { log, requests } = capture()
    const app = appWith(log)
    const res = await app.request('/api/query/q_12345?waitMs=10', { headers: { 'x-request-id': 'trace-42' } })
    expect(res.status).toBe(200)
    const body = await res.text()
    expect(requests()).toEqual([
      {
        level: 'info',
        message: 'request',
        requestId: 'trace-42',
        function: 'query',
        route: '/api/query/:queryId',
        method: 'GET',
        tenant: 'local',
        status: 200,
        latencyMs: expect.any(Number),
      },
    ])
    expect(requests()[0]!.latencyMs).toBeGreaterThanOrEqual(0)
    expect(body).toContain('q_12345')
  })

  it('counts the bytes in from Content-Length and out where the response says how many', async () => {
    const { log, requests } = capture()
    const app = appWith(log)
    const sql = 'SELECT 1'
    await app.request('/api/query', { method: 'POST', body: sql, headers: { 'content-type': 'text/plain', 'content-length': String(sql.length) } })
    await app.request('/healthz?probe=1', { headers: {} })
    const fetched = await app.request('/api/fetched')
    expect(fetched.status).toBe(302)
    expect(requests()[0]).toMatchObject({ route: '/api/query', method: 'POST', status: 201, bytesIn: sql.length })
    expect(requests()[1]).toMatchObject({ route: '/api/fetched', status: 302 })
  })

  it('never writes a bearer token, a download signature, the query string or the SQL sent', async () => {
    const { log, lines } = capture()
    const app = appWith(log)
    const token = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl'
    const signature = 'SiGnAtUrE-0123456789abcdef'
    const sql = "SELECT * FROM t WHERE secret = 'hunter2'"
    await app.request(`/api/query/q1/results.csv?access=${signature}`, { headers: { authorization: `Bearer ${token}` } })
    await app.request('/api/query', { method: 'POST', body: JSON.stringify({ sql }), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })
    await app.request(`/api/nowhere/${'x'}?access=${signature}&token=${token}`)
    const written = JSON.stringify(lines)
    expect(lines.filter((l) => l.message === 'request')).toHaveLength(3)
    for (const secret of [token, signature, 'hunter2', 'access=', 'SELECT']) expect(written).not.toContain(secret)
    // Refused before any route answered (a forged link), or unknown: the path, without its query.
    expect(lines.filter((l) => l.message === 'request').map((l) => [l.route, l.status])).toEqual([
      ['/api/query/q1/results.csv', 401],
      ['/api/query', 201],
      ['/api/nowhere/x', 404],
    ])
  })

  it('logs a valid download link by its route and tenant, without its signature', async () => {
    const { log, lines } = capture()
    const link = downloadLinks(config.downloadSecret).sign(LOCAL_TENANT, 'q1').token
    const res = await appWith(log).request(`/api/query/q1/results.csv?access=${link}`)
    expect(res.status).toBe(200)
    expect(lines).toEqual([expect.objectContaining({ message: 'request', route: '/api/query/:queryId/results.csv', tenant: 'local', status: 200 })])
    expect(JSON.stringify(lines)).not.toContain(link.split('.')[1])
  })

  it('leaves out probes and scrapes that succeed, but not ones that fail', async () => {
    const { log, requests } = capture()
    const seen: RequestObservation[] = []
    const app = appWith(log, (r) => seen.push(r))
    await app.request('/healthz')
    await app.request('/healthz', { method: 'POST' })
    expect(requests().map((l) => [l.route, l.method, l.status])).toEqual([['/healthz', 'POST', 404]])
    // Counted all the same.
    expect(seen.map((r) => [r.route, r.status])).toEqual([['/healthz', 200], ['/*', 404]])
  })

  it('tells the metrics the route pattern, never a path with ids in it', async () => {
    const { log } = capture()
    const seen: RequestObservation[] = []
    const app = appWith(log, (r) => seen.push(r))
    await app.request('/api/query/q1')
    await app.request('/api/query/q2')
    await app.request('/api/elsewhere/q3')
    expect(seen.map(({ route, method, status }) => ({ route, method, status }))).toEqual([
      { route: '/api/query/:queryId', method: 'GET', status: 200 },
      { route: '/api/query/:queryId', method: 'GET', status: 200 },
      { route: '/api/*', method: 'GET', status: 404 },
    ])
    expect(seen.every((r) => r.seconds >= 0)).toBe(true)
  })
})

describe('the request id', () => {
  it('echoes a sane X-Request-Id in the response and the log line', async () => {
    const { log, requests } = capture()
    const res = await appWith(log).request('/api/query/q1', { headers: { 'X-Request-Id': 'abc-123_def.4:5' } })
    expect(res.headers.get('x-request-id')).toBe('abc-123_def.4:5')
    expect(requests()[0]!.requestId).toBe('abc-123_def.4:5')
  })

  it('makes a new one when there is none, on every kind of response (an error, a 404, an immutable one)', async () => {
    const { log, requests } = capture()
    const app = appWith(log)
    const answers = [await app.request('/api/query/q1'), await app.request('/api/nowhere'), await app.request('/api/fetched')]
    const ids = answers.map((r) => r.headers.get('x-request-id'))
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(new Set(ids).size).toBe(3)
    expect(requests().map((l) => l.requestId)).toEqual(ids)
  })

  it('replaces one that is too long or holds characters a log reader could be fooled by', async () => {
    const { log, requests } = capture()
    const app = appWith(log)
    const bad = ['x'.repeat(129), 'two words', 'line"break', '{"level":"error"}', 'semi;colon', '']
    for (const id of bad) {
      const res = await app.request('/api/query/q1', { headers: { 'x-request-id': id } })
      expect(res.headers.get('x-request-id')).not.toBe(id)
      expect(saneRequestId(res.headers.get('x-request-id') ?? undefined)).toBeDefined()
    }
    expect(requests().map((l) => l.requestId)).not.toContain(bad[0])
    expect(saneRequestId('x'.repeat(128))).toBe('x'.repeat(128))
  })
})
