import { loadConfig } from '../config.ts'
import { createLogger } from '../logger.ts'
import type { Runs, Services } from '../services.ts'
import { servicesForMode } from '../adapters/services-for-mode.ts'
import { createMetrics } from './metrics.ts'
import type { CsvlakeApp } from './openapi.ts'
import { createRootApp } from './root-app.ts'
import { serveApp } from './serve.ts'

/**
 * Runs one function on its own, listening on PORT, as its Knative service runs it: the same app
 * the local gateway mounts, with the same tenant resolution in front, a log line per request and
 * its metrics at /metrics. `owns`: the runs this function starts in local mode (submit the jobs,
 * query the queries), which it recovers once listening - a run a killed process left RUNNING ends
 * FAILED instead of running for ever. In aws mode Step Functions and Athena own the runs.
 */
export async function runFunction(name: string, build: (services: Services) => CsvlakeApp, owns: Runs = {}) {
  const config = loadConfig()
  const log = createLogger()
  const metrics = createMetrics(name)
  const services = await servicesForMode(config, log, metrics.service)
  const app = createRootApp(log, config, { name, metrics })
  // Knative's readiness and liveness probe.
  app.get('/healthz', (c) => c.json({ status: 'ok', function: name }))
  app.route('/', build(services))
  serveApp({ app: app as never, config, log, name, close: () => services.close() })
  // After listening, so the cold start does not wait for it; a run started meanwhile is this process's own and is left alone.
  if (config.mode === 'local' && (owns.jobs || owns.queries) && services.recoverRuns) {
    services.recoverRuns(owns).then(
      (recovered) => log.info(`${name} recovered what a stopped process left running`, recovered),
      (err: unknown) => log.error(`${name} could not recover what a stopped process left running`, { error: err instanceof Error ? err.message : String(err) }),
    )
  }
}
