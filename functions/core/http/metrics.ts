// prom-client's parts, not its index (see metrics-prom-client.d.ts): a function starts faster.
import Counter from 'prom-client/lib/counter.js'
import Gauge from 'prom-client/lib/gauge.js'
import Histogram from 'prom-client/lib/histogram.js'
import Registry from 'prom-client/lib/registry.js'
import type { JobRecord } from '../ports/workflow.ts'
import type { QueryRecord } from '../query/query-records.ts'
import type { ServiceMetrics } from '../services.ts'
import type { RequestObservation } from './request-log.ts'

/** What a process serves at /metrics, and the callbacks that feed it. */
export type Metrics = {
  registry: Registry
  /** The text /metrics answers, and its content type. */
  scrape(): Promise<{ text: string; contentType: string }>
  /** Fed by the request log, once per request. */
  observeRequest(request: RequestObservation): void
  /** Fed by the domain (uploads, jobs, queries, DuckDB sandboxes). */
  service: ServiceMetrics
}

/** Request latencies: from a cached page (milliseconds) to a long upload (minutes). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800]
/** Jobs and queries run from under a second to their time limits (minutes to hours). */
const WORK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400]

/**
 * The metrics of one process, in a Registry of its own (made once, at start-up, and passed in:
 * prom-client's global registry is never used). `name` labels every series with the function,
 * so the gateway's and each Knative service's series stay apart wherever they are gathered.
 */
export function createMetrics(name: string): Metrics {
  const registry = new Registry()
  registry.setDefaultLabels({ function: name })
  const registers = [registry]

  const requests = new Counter({ name: 'csvlake_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status.', labelNames: ['route', 'method', 'status'], registers })
  const latency = new Histogram({ name: 'csvlake_http_request_duration_seconds', help: 'Time from a request to the last byte of its response, by route pattern, method and status.', labelNames: ['route', 'method', 'status'], buckets: REQUEST_BUCKETS, registers })
  const uploadBytes = new Counter({ name: 'csvlake_upload_bytes_total', help: 'Bytes of uploaded files stored (as sent: compressed files count compressed).', registers })
  const uploads = new Counter({ name: 'csvlake_uploads_total', help: 'Uploaded files stored.', registers })
  const jobs = new Counter({ name: 'csvlake_jobs_total', help: 'Ingest jobs ended, by final status.', labelNames: ['status'], registers })
  const jobSeconds = new Histogram({ name: 'csvlake_job_duration_seconds', help: 'Ingest jobs from start to end, by final status.', labelNames: ['status'], buckets: WORK_BUCKETS, registers })
  const queries = new Counter({ name: 'csvlake_queries_total', help: 'Queries ended, by final status and whether an earlier result answered them.', labelNames: ['status', 'reused'], registers })
  const querySeconds = new Histogram({ name: 'csvlake_query_duration_seconds', help: 'Queries from submission to end, by final status and reuse.', labelNames: ['status', 'reused'], buckets: WORK_BUCKETS, registers })
  const sandboxCounts: (() => number)[] = []
  new Gauge({
    name: 'csvlake_duckdb_sandboxes_open',
    help: 'Tenant DuckDB sandboxes (one instance in a process each) open or opening.',
    registers,
    collect() {
      this.set(sandboxCounts.reduce((sum, count) => sum + count(), 0))
    },
  })

  // Process CPU, memory, event-loop delay and heap (what tells a starved replica from a busy one):
  // loaded at the first scrape, so a cold start does not pay for them. They count from then on.
  let defaults: Promise<void> | undefined
  const scrape = async () => {
    defaults ??= import('prom-client/lib/defaultMetrics.js').then(({ default: collectDefaultMetrics }) => collectDefaultMetrics({ register: registry }))
    await defaults
    return { text: await registry.metrics(), contentType: registry.contentType }
  }

  return {
    registry,
    scrape,
    observeRequest({ route, method, status, seconds }) {
      const labels = { route, method, status: String(status) }
      requests.inc(labels)
      latency.observe(labels, seconds)
    },
    service: {
      uploadStored(bytes) {
        uploads.inc()
        uploadBytes.inc(bytes)
      },
      jobEnded(record: JobRecord) {
        jobs.inc({ status: record.status })
        const seconds = secondsBetween(record.startedAt, record.endedAt)
        if (seconds !== undefined) jobSeconds.observe({ status: record.status }, seconds)
      },
      queryEnded(record: QueryRecord) {
        const labels = { status: record.status, reused: String(record.reusedFrom !== undefined) }
        queries.inc(labels)
        const seconds = secondsBetween(record.submittedAt, record.endedAt)
        if (seconds !== undefined) querySeconds.observe(labels, seconds)
      },
      watchSandboxes(count) {
        sandboxCounts.push(count)
      },
    },
  }
}

function secondsBetween(from: string, to: string | undefined): number | undefined {
  if (to === undefined) return undefined
  const ms = Date.parse(to) - Date.parse(from)
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined
}
