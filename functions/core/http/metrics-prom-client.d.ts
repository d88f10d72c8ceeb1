// The parts of prom-client (pinned, 15.1.3) that metrics.ts loads one by one (by dynamic import, at
// the first scrape), typed by the package's own declarations: its index also loads the push
// gateway, cluster aggregation and OpenTelemetry, which a function never uses.
declare module 'prom-client/lib/registry.js' {
  import { Registry } from 'prom-client'
  export = Registry
}
declare module 'prom-client/lib/counter.js' {
  import { Counter } from 'prom-client'
  export = Counter
}
declare module 'prom-client/lib/gauge.js' {
  import { Gauge } from 'prom-client'
  export = Gauge
}
declare module 'prom-client/lib/histogram.js' {
  import { Histogram } from 'prom-client'
  export = Histogram
}
declare module 'prom-client/lib/defaultMetrics.js' {
  import { collectDefaultMetrics } from 'prom-client'
  export = collectDefaultMetrics
}
