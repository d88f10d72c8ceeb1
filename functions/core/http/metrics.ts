import type { JobRecord } from '../ports/workflow.ts'
import type { QueryRecord } from '../query/query-records.ts'
import type { ServiceMetrics } from '../services.ts'
import type { RequestObservation } from './request-log.ts'

/** What a process serves at /metrics, and the callbacks that feed it. */
export type Metrics = {
  /** The text /metrics answers, and its content type. Loads prom-client the first time. */
  scrape(): Promise<{ text: string; contentType: string }>
  /** Fed by the request log, once per request. */
  observeRequest(request: RequestObservation): void
  /** Fed by the domain (uploads, jobs, queries, DuckDB sandboxes). */
  service: ServiceMetrics
}

type Labels = Record<string, string>

/** One counter or histogram of ours, as data: prom-client builds it only when it is loaded. */
type Spec = { name: string; help: string; labelNames: readonly string[]; buckets?: readonly number[] }

/** Request latencies: from a cached page (milliseconds) to a long upload (minutes). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800]
/** Jobs and queries run from under a second to their time limits (minutes to hours). */
const WORK_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400]

const SPECS = {
  requests: { name: 'csvlake_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status.', labelNames: ['route', 'method', 'status'] },
  latency: { name: 'csvlake_http_request_duration_seconds', help: 'Time from a request to the last byte of its response, by route pattern, method and status.', labelNames: ['route', 'method', 'status'], buckets: REQUEST_BUCKETS },
  uploadBytes: { name: 'csvlake_upload_bytes_total', help: 'Bytes of uploaded files stored (as sent: compressed files count compressed).', labelNames: [] },
  uploads: { name: 'csvlake_uploads_total', help: 'Uploaded files stored.', labelNames: [] },
  jobs: { name: 'csvlake_jobs_total', help: 'Ingest jobs ended, by final status.', labelNames: ['status'] },
  jobSeconds: { name: 'csvlake_job_duration_seconds', help: 'Ingest jobs from start to end, by final status.', labelNames: ['status'], buckets: WORK_BUCKETS },
  queries: { name: 'csvlake_queries_total', help: 'Queries ended, by final status and whether an earlier result answered them.', labelNames: ['status', 'reused'] },
  querySeconds: { name: 'csvlake_query_duration_seconds', help: 'Queries from submission to end, by final status and reuse.', labelNames: ['status', 'reused'], buckets: WORK_BUCKETS },
} satisfies Record<string, Spec>
type Instrument = keyof typeof SPECS

/** Where observations go: the tallies until prom-client is loaded, its counters and histograms after. */
type Sink = (instrument: Instrument, labels: Labels, value: number) => void

/**
 * The metrics of one process, in a Registry of its own (prom-client's global registry is never
 * used). `name` labels every series with the function, so the gateway's and each Knative
 * service's series stay apart wherever they are gathered.
 *
 * prom-client (about 42 KiB of bundle to parse) is loaded by a dynamic import at the first
 * scrape, not at start: a cold start answers its first request without it, and a function that
 * nobody scrapes (one run alone) never loads it. Until then each observation is added to a fixed
 * tally per series (`Tallies`), so memory grows with the label sets (route patterns, statuses),
 * never with the requests; the first scrape hands the tallies to prom-client, which then counts
 * from there.
 */
export function createMetrics(name: string): Metrics {
  const tallies = new Map<Instrument, Tallies>()
  let sink: Sink = (instrument, labels, value) => {
    let tally = tallies.get(instrument)
    if (!tally) tallies.set(instrument, (tally = new Tallies(SPECS[instrument])))
    tally.add(labels, value)
  }
  const sandboxCounts: (() => number)[] = []
  const openSandboxes = () => sandboxCounts.reduce((sum, count) => sum + count(), 0)

  let loading: Promise<Loaded> | undefined
  const load = () => {
    loading ??= loadPromClient(name, openSandboxes).then(
      (loaded) => {
        // Synchronous from the replay to the switch: nothing observed meanwhile is left behind.
        for (const [instrument, tally] of tallies) tally.replay((labels, value) => loaded.sink(instrument, labels, value))
        tallies.clear()
        sink = loaded.sink
        return loaded
      },
      (err: unknown) => {
        // The next scrape tries again; the tallies keep counting meanwhile.
        loading = undefined
        throw err
      },
    )
    return loading
  }

  return {
    async scrape() {
      const { registry } = await load()
      return { text: await registry.metrics(), contentType: registry.contentType }
    },
    observeRequest({ route, method, status, seconds }) {
      const labels = { route, method, status: String(status) }
      sink('requests', labels, 1)
      sink('latency', labels, seconds)
    },
    service: {
      uploadStored(bytes) {
        sink('uploads', {}, 1)
        sink('uploadBytes', {}, bytes)
      },
      jobEnded(record: JobRecord) {
        const labels = { status: record.status }
        sink('jobs', labels, 1)
        const seconds = secondsBetween(record.startedAt, record.endedAt)
        if (seconds !== undefined) sink('jobSeconds', labels, seconds)
      },
      queryEnded(record: QueryRecord) {
        const labels = { status: record.status, reused: String(record.reusedFrom !== undefined) }
        sink('queries', labels, 1)
        const seconds = secondsBetween(record.submittedAt, record.endedAt)
        if (seconds !== undefined) sink('querySeconds', labels, seconds)
      },
      watchSandboxes(count) {
        sandboxCounts.push(count)
      },
    },
  }
}

type Loaded = { registry: import('prom-client').Registry; sink: Sink }

/**
 * prom-client's parts, not its index (see metrics-prom-client.d.ts: the index adds the push
 * gateway, cluster aggregation and OpenTelemetry), each behind a dynamic import that esbuild puts
 * in a chunk of its own; with them the process's CPU, memory, event-loop and heap figures (what
 * tells a starved replica from a busy one), which count from this first scrape on.
 */
async function loadPromClient(name: string, openSandboxes: () => number): Promise<Loaded> {
  const [{ default: Registry }, { default: Counter }, { default: Gauge }, { default: Histogram }, { default: collectDefaultMetrics }] = await Promise.all([
    import('prom-client/lib/registry.js'),
    import('prom-client/lib/counter.js'),
    import('prom-client/lib/gauge.js'),
    import('prom-client/lib/histogram.js'),
    import('prom-client/lib/defaultMetrics.js'),
  ])
  const registry = new Registry()
  registry.setDefaultLabels({ function: name })
  const registers = [registry]
  const instruments = new Map<Instrument, (labels: Labels, value: number) => void>()
  for (const [instrument, spec] of Object.entries(SPECS) as [Instrument, Spec][]) {
    const config = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers }
    if (spec.buckets) {
      const histogram = new Histogram<string>({ ...config, buckets: [...spec.buckets] })
      instruments.set(instrument, (labels, value) => histogram.observe(labels, value))
    } else {
      const counter = new Counter<string>(config)
      instruments.set(instrument, (labels, value) => counter.inc(labels, value))
    }
  }
  new Gauge({
    name: 'csvlake_duckdb_sandboxes_open',
    help: 'Tenant DuckDB sandboxes (one instance in a process each) open or opening.',
    registers,
    collect() {
      this.set(openSandboxes())
    },
  })
  collectDefaultMetrics({ register: registry })
  return { registry, sink: (instrument, labels, value) => instruments.get(instrument)!(labels, value) }
}

/** The observations in one histogram bucket of one series: enough to hand them on without keeping each. */
type Bin = { count: number; sum: number; min: number; max: number }
type Series = { labels: Labels; total: number; bins: Bin[] }

/**
 * Observations of one counter or histogram before prom-client is loaded, kept as a fixed tally per
 * label set (a histogram's: count, sum, least and greatest value in each of its buckets), so they
 * take the same room however many come. Values are checked as prom-client checks them, so a bad
 * one still throws where it is observed, not later at a scrape.
 */
export class Tallies {
  private readonly series = new Map<string, Series>()
  constructor(private readonly spec: Spec) {}

  /** The series (label sets) and histogram bins held: what the memory taken grows with. */
  get size(): { series: number; bins: number } {
    let bins = 0
    for (const series of this.series.values()) bins += series.bins.filter(Boolean).length
    return { series: this.series.size, bins }
  }

  add(labels: Labels, value: number) {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value} (${this.spec.name})`)
    if (!this.spec.buckets && value < 0) throw new Error(`It is not possible to decrease a counter (${this.spec.name})`)
    const key = JSON.stringify(this.spec.labelNames.map((label) => labels[label]))
    let series = this.series.get(key)
    if (!series) this.series.set(key, (series = { labels, total: 0, bins: [] }))
    series.total += value
    if (!this.spec.buckets) return
    const index = bucketIndex(this.spec.buckets, value)
    const bin = (series.bins[index] ??= { count: 0, sum: 0, min: value, max: value })
    bin.count += 1
    bin.sum += value
    bin.min = Math.min(bin.min, value)
    bin.max = Math.max(bin.max, value)
  }

  /**
   * Hands the tallies to `observe` (prom-client's inc or observe): a counter's total at once; a
   * histogram's bucket by bucket, as many observations as the bucket holds, each of the bucket's
   * mean (held within its least and greatest value, so it lands in the same bucket): every bucket
   * and count exact, the sum exact up to floating-point rounding (exact when a bucket's values are
   * all the same).
   */
  replay(observe: (labels: Labels, value: number) => void) {
    for (const { labels, total, bins } of this.series.values()) {
      if (!this.spec.buckets) {
        observe(labels, total)
        continue
      }
      for (const bin of bins) {
        if (!bin) continue
        const value = Math.min(bin.max, Math.max(bin.min, bin.sum / bin.count))
        for (let i = 0; i < bin.count; i++) observe(labels, value)
      }
    }
  }
}

/** The bucket prom-client counts a value in: the first whose upper bound is at least the value, else +Inf. */
function bucketIndex(bounds: readonly number[], value: number): number {
  const index = bounds.findIndex((bound) => value <= bound)
  return index === -1 ? bounds.length : index
}

function secondsBetween(from: string, to: string | undefined): number | undefined {
  if (to === undefined) return undefined
  const ms = Date.parse(to) - Date.parse(from)
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined
}
