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
import { createMetrics } from './metrics.ts'
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
    const first = await metrics.registry.metrics()
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
    expect(sample(await metrics.registry.metrics(), 'csvlake_duckdb_sandboxes_open', f)).toBe(0)
  })

  it('keeps each process its own registry: two sets of metrics never share a count', async () => {
    const a = createMetrics('a')
    const b = createMetrics('b')
    a.service.uploadStored(5)
    expect(sample(await a.registry.metrics(), 'csvlake_upload_bytes_total', { function: 'a' })).toBe(5)
    expect(sample(await b.registry.metrics(), 'csvlake_upload_bytes_total', { function: 'b' })).toBe(0)
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
