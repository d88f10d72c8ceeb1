import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { servicesForMode } from '../adapters/services-for-mode.ts'
import { loadConfig } from '../config.ts'
import { createLogger } from '../logger.ts'
import { createGatewayApp } from '../../gateway/app.ts'
import { postJson, serveOnFreePort, upload, waitForJob } from '../../testing/test-server.ts'
import { tenantId } from '../tenant.ts'
import { createMetrics, Tallies } from './metrics.ts'
import type { TenantEnv } from './openapi.ts'
import { createRootApp } from './root-app.ts'

const config = { auth: { enabled: false as const }, host: undefined, allowedHosts: [], downloadSecret: 'metrics-test-secret' }

/** The value of one series in Prometheus' text format, by its name and exact labels (`undefined` when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(labels).length) return Number(match[3])
  }
  return undefined
}

function appWithMetrics() {
  const metrics = createMetrics('query')
  const log = createLogger({ quiet: true })
  const root = createRootApp(log, config, { name: 'query', metrics })
  const api = new Hono<TenantEnv>()
  api.get('/api/query/:queryId', async (c) => {
    await new Promise((r) => setTimeout(r, 30))
    return c.json({ queryId: c.req.param('queryId') })
  })
  root.route('/', api)
  return { app: root, metrics }
}

describe('/metrics', () => {
  it('counts requests by route pattern, method and status, with a latency histogram of each', async () => {
    const { app } = appWithMetrics()
    await app.request('/api/query/q1')
    await app.request('/api/query/q2')
    await app.request('/api/query/q3', { method: 'DELETE' })
    const res = await app.request('/metrics')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await res.text()
    const ok = { function: 'query', route: '/api/query/:queryId', method: 'GET', status: '200' }
    expect(sample(text, 'csvlake_http_requests_total', ok)).toBe(2)
    expect(sample(text, 'csvlake_http_requests_total', { ...ok, method: 'DELETE', status: '404', route: '/api/*' })).toBe(1)
    // Each took 30 ms or more: none under 25 ms, both under 5 s (the histogram is cumulative).
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...ok, le: '0.025' })).toBe(0)
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...ok, le: '5' })).toBe(2)
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(2)
    expect(sample(text, 'csvlake_http_request_duration_seconds_count', ok)).toBe(2)
    expect(sample(text, 'csvlake_http_request_duration_seconds_sum', ok)).toBeGreaterThanOrEqual(0.05)
    // No path with an id in it ever becomes a label.
    expect(text).not.toContain('q1')
    // The process's own figures come along.
    expect(sample(text, 'process_resident_memory_bytes', { function: 'query' })).toBeGreaterThan(0)
  })

  it('shows upload bytes, job and query outcomes with their durations, and the DuckDB sandboxes open now', async () => {
    const metrics = createMetrics('gateway')
    const tenant = tenantId('t1')
    metrics.service.uploadStored(100)
    metrics.service.uploadStored(23)
    const job = { jobId: 'j1', tenant, input: {} as never, steps: [], executionArn: 'local:j1', startedAt: '2025-01-01T00:00:00.000Z' }
    metrics.service.jobEnded({ ...job, status: 'SUCCEEDED', endedAt: '2025-01-01T00:00:02.000Z' })
    metrics.service.jobEnded({ ...job, status: 'FAILED', endedAt: '2025-01-01T00:00:00.500Z' })
    const query = { queryId: 'q1', tenant, sql: 'SELECT 1', submittedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:00:00.200Z' }
    metrics.service.queryEnded({ ...query, status: 'SUCCEEDED' })
    metrics.service.queryEnded({ ...query, status: 'SUCCEEDED', reusedFrom: 'q0' })
    metrics.service.queryEnded({ ...query, status: 'CANCELLED' })
    let open = 2
    metrics.service.watchSandboxes(() => open)
    const first = (await metrics.scrape()).text
    const f = { function: 'gateway' }
    expect(sample(first, 'csvlake_upload_bytes_total', f)).toBe(123)
    expect(sample(first, 'csvlake_uploads_total', f)).toBe(2)
    expect(sample(first, 'csvlake_jobs_total', { ...f, status: 'SUCCEEDED' })).toBe(1)
    expect(sample(first, 'csvlake_jobs_total', { ...f, status: 'FAILED' })).toBe(1)
    expect(sample(first, 'csvlake_job_duration_seconds_sum', { ...f, status: 'SUCCEEDED' })).toBe(2)
    expect(sample(first, 'csvlake_job_duration_seconds_bucket', { ...f, status: 'FAILED', le: '0.5' })).toBe(1)
    expect(sample(first, 'csvlake_queries_total', { ...f, status: 'SUCCEEDED', reused: 'false' })).toBe(1)
    expect(sample(first, 'csvlake_queries_total', { ...f, status: 'SUCCEEDED', reused: 'true' })).toBe(1)
    expect(sample(first, 'csvlake_queries_total', { ...f, status: 'CANCELLED', reused: 'false' })).toBe(1)
    expect(sample(first, 'csvlake_query_duration_seconds_bucket', { ...f, status: 'SUCCEEDED', reused: 'false', le: '0.1' })).toBe(0)
    expect(sample(first, 'csvlake_query_duration_seconds_bucket', { ...f, status: 'SUCCEEDED', reused: 'false', le: '0.25' })).toBe(1)
    expect(sample(first, 'csvlake_duckdb_sandboxes_open', f)).toBe(2)
    // The gauge is read at each scrape.
    open = 0
    expect(sample((await metrics.scrape()).text, 'csvlake_duckdb_sandboxes_open', f)).toBe(0)
  })

  it('keeps each process its own registry: two sets of metrics never share a count', async () => {
    const a = createMetrics('a')
    const b = createMetrics('b')
    a.service.uploadStored(5)
    expect(sample((await a.scrape()).text, 'csvlake_upload_bytes_total', { function: 'a' })).toBe(5)
    expect(sample((await b.scrape()).text, 'csvlake_upload_bytes_total', { function: 'b' })).toBe(0)
  })
})

describe('/metrics of the local gateway, fed by the upload, the ingest workflow and the queries', () => {
  it('counts an upload, its job and a query as they happen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csvlake-metrics-'))
    const metrics = createMetrics('gateway')
    const services = await servicesForMode(loadConfig({ CSVLAKE_DATA_DIR: dir, PORT: '0', CSVLAKE_LOCAL_WAIT_MS: '5' }), createLogger({ quiet: true }), metrics.service)
    await services.recover()
    const { server, url } = await serveOnFreePort(createGatewayApp(services, metrics))
    try {
      const csv = 'a,b\n1,2\n3,4\n'
      const up = await upload(url, 'pairs.csv', csv)
      expect(up.status).toBe(201)
      const submitted = await (await postJson(url, '/api/submit', { fileId: (await up.json()).fileId })).json()
      expect((await waitForJob(url, submitted.jobId)).status).toBe('SUCCEEDED')
      const query = await postJson(url, '/api/query', { sql: 'SELECT sum(a) AS s FROM pairs', waitMs: 10_000 })
      expect((await query.json()).status).toBe('SUCCEEDED')
      const text = await (await fetch(`${url}/metrics`)).text()
      const f = { function: 'gateway' }
      expect(sample(text, 'csvlake_upload_bytes_total', f)).toBe(csv.length)
      expect(sample(text, 'csvlake_jobs_total', { ...f, status: 'SUCCEEDED' })).toBe(1)
      expect(sample(text, 'csvlake_job_duration_seconds_count', { ...f, status: 'SUCCEEDED' })).toBe(1)
      expect(sample(text, 'csvlake_queries_total', { ...f, status: 'SUCCEEDED', reused: 'false' })).toBe(1)
      expect(sample(text, 'csvlake_duckdb_sandboxes_open', f)).toBe(1)
      expect(sample(text, 'csvlake_http_requests_total', { ...f, route: '/api/upload', method: 'POST', status: '201' })).toBe(1)
      expect(sample(text, 'csvlake_http_requests_total', { ...f, route: '/api/query', method: 'POST', status: '200' })).toBe(1)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await services.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('/metrics before prom-client is loaded (it loads at the first scrape, not at start)', () => {
  /** Latencies spread over every request bucket: on bounds, between them, past the last (+Inf), and many alike. */
  const latencies = [0.001, 0.005, 0.0051, 0.03, 0.04, 0.05, 0.1, 0.1, 0.1, 0.2, 0.7, 1, 2.4, 7, 29.5, 45, 299, 1200, 1800, 2500, 9000, ...Array.from({ length: 50 }, (_, i) => 0.011 + i * 0.0002)]
  const ok = { route: '/api/query/:queryId', method: 'GET', status: '200' }

  /** The same observations made straight on prom-client's own Registry and Histogram: what the first scrape must show. */
  async function reference(values: number[]) {
    const [{ default: Registry }, { default: Histogram }] = await Promise.all([import('prom-client/lib/registry.js'), import('prom-client/lib/histogram.js')])
    const registry = new Registry()
    registry.setDefaultLabels({ function: 'query' })
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800]
    const histogram = new Histogram({ name: 'csvlake_http_request_duration_seconds', help: 'reference', labelNames: ['route', 'method', 'status'], buckets, registers: [registry] })
    for (const seconds of values) histogram.observe(ok, seconds)
    return registry.metrics()
  }
  const lines = (text: string, prefix: string) => text.split('\n').filter((line) => line.startsWith(prefix))

  it('shows requests observed before the first scrape in it, with every histogram bucket and count as prom-client itself counts them', async () => {
    const metrics = createMetrics('query')
    for (const seconds of latencies) metrics.observeRequest({ ...ok, status: 200, seconds })
    metrics.observeRequest({ ...ok, status: 500, seconds: 0.02 })
    const text = (await metrics.scrape()).text
    const expected = await reference(latencies)
    // Every bucket line and the count, byte for byte.
    const series = (t: string, suffix: string) => lines(t, `csvlake_http_request_duration_seconds_${suffix}`).filter((line) => line.includes('status="200"'))
    expect(series(text, 'bucket')).toEqual(series(expected, 'bucket'))
    expect(series(text, 'bucket')).toHaveLength(16)
    expect(series(text, 'count')).toEqual(series(expected, 'count'))
    const f = { function: 'query', ...ok }
    expect(sample(text, 'csvlake_http_requests_total', f)).toBe(latencies.length)
    expect(sample(text, 'csvlake_http_requests_total', { ...f, status: '500' })).toBe(1)
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...f, status: '500', le: '0.025' })).toBe(1)
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...f, le: '+Inf' })).toBe(latencies.length)
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...f, le: '1800' })).toBe(latencies.length - 2)
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...f, le: '0.1' })).toBe(latencies.filter((s) => s <= 0.1).length)
    // The sum, up to floating-point rounding (it is handed over as each bucket's mean).
    expect(sample(text, 'csvlake_http_request_duration_seconds_sum', f)).toBeCloseTo(sample(expected, 'csvlake_http_request_duration_seconds_sum', { function: 'query', ...ok })!, 9)
    // After the scrape prom-client counts on from the same totals.
    metrics.observeRequest({ ...ok, status: 200, seconds: 0.3 })
    const next = (await metrics.scrape()).text
    expect(sample(next, 'csvlake_http_requests_total', f)).toBe(latencies.length + 1)
    expect(sample(next, 'csvlake_http_request_duration_seconds_bucket', { ...f, le: '0.5' })).toBe(latencies.filter((s) => s <= 0.5).length + 1)
    expect(series(next, 'bucket')).toEqual(series(await reference([...latencies, 0.3]), 'bucket'))
  })

  it('shows upload bytes, jobs and queries ended before the first scrape, with their exact totals and buckets', async () => {
    const metrics = createMetrics('upload')
    const tenant = tenantId('t1')
    for (let i = 0; i < 1000; i++) metrics.service.uploadStored(i)
    metrics.service.uploadStored(0)
    const job = { jobId: 'j1', tenant, input: {} as never, steps: [], executionArn: 'local:j1', startedAt: '2025-01-01T00:00:00.000Z' }
    metrics.service.jobEnded({ ...job, status: 'SUCCEEDED', endedAt: '2025-01-01T00:00:00.100Z' })
    metrics.service.jobEnded({ ...job, status: 'SUCCEEDED', endedAt: '2025-01-01T00:00:04.000Z' })
    metrics.service.jobEnded({ ...job, status: 'SUCCEEDED', endedAt: '2025-01-01T05:00:00.000Z' })
    metrics.service.jobEnded({ ...job, status: 'RUNNING' as never })
    const text = (await metrics.scrape()).text
    const f = { function: 'upload' }
    expect(sample(text, 'csvlake_uploads_total', f)).toBe(1001)
    expect(sample(text, 'csvlake_upload_bytes_total', f)).toBe(499_500)
    const ok = { ...f, status: 'SUCCEEDED' }
    expect(sample(text, 'csvlake_jobs_total', ok)).toBe(3)
    expect(sample(text, 'csvlake_job_duration_seconds_count', ok)).toBe(3)
    expect(sample(text, 'csvlake_job_duration_seconds_sum', ok)).toBeCloseTo(18_004.1, 9)
    expect(sample(text, 'csvlake_job_duration_seconds_bucket', { ...ok, le: '0.05' })).toBe(0)
    expect(sample(text, 'csvlake_job_duration_seconds_bucket', { ...ok, le: '0.1' })).toBe(1)
    expect(sample(text, 'csvlake_job_duration_seconds_bucket', { ...ok, le: '2.5' })).toBe(1)
    expect(sample(text, 'csvlake_job_duration_seconds_bucket', { ...ok, le: '5' })).toBe(2)
    expect(sample(text, 'csvlake_job_duration_seconds_bucket', { ...ok, le: '14400' })).toBe(2)
    expect(sample(text, 'csvlake_job_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(3)
    // A job without an end is counted, without a duration.
    expect(sample(text, 'csvlake_jobs_total', { ...f, status: 'RUNNING' })).toBe(1)
    expect(sample(text, 'csvlake_job_duration_seconds_count', { ...f, status: 'RUNNING' })).toBeUndefined()
  })

  it('loses nothing observed while prom-client is loading', async () => {
    const metrics = createMetrics('files')
    metrics.service.uploadStored(1)
    const first = metrics.scrape()
    metrics.service.uploadStored(10)
    metrics.observeRequest({ route: '/api/files', method: 'GET', status: 200, seconds: 0.2 })
    const firstText = (await first).text
    metrics.service.uploadStored(100)
    const text = (await metrics.scrape()).text
    const f = { function: 'files' }
    expect(sample(firstText, 'csvlake_upload_bytes_total', f)).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'csvlake_upload_bytes_total', f)).toBe(111)
    expect(sample(text, 'csvlake_uploads_total', f)).toBe(3)
    expect(sample(text, 'csvlake_http_request_duration_seconds_bucket', { ...f, route: '/api/files', method: 'GET', status: '200', le: '0.25' })).toBe(1)
  })

  it('keeps one fixed tally per label set however many observations come unscraped (a function run alone is never scraped)', () => {
    const tallies = new Tallies({ name: 'h', help: 'h', labelNames: ['status'], buckets: [1, 2] })
    for (let i = 0; i < 100_000; i++) tallies.add({ status: i % 2 ? 'a' : 'b' }, i % 5)
    expect(tallies.size).toEqual({ series: 2, bins: 6 })
    let observed = 0
    tallies.replay(() => observed++)
    expect(observed).toBe(100_000)
  })

  it('refuses a value prom-client would refuse where it is observed, and scrapes on', async () => {
    const metrics = createMetrics('upload')
    expect(() => metrics.service.uploadStored(-1)).toThrow(/decrease a counter/)
    expect(() => metrics.observeRequest({ route: '/', method: 'GET', status: 200, seconds: Number.NaN })).toThrow(TypeError)
    metrics.service.uploadStored(7)
    expect(sample((await metrics.scrape()).text, 'csvlake_upload_bytes_total', { function: 'upload' })).toBe(7)
  })
})
