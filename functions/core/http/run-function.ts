import { loadConfig } from '../config.ts'
import { createLogger } from '../logger.ts'
import type { Services } from '../services.ts'
import { servicesForMode } from '../adapters/services-for-mode.ts'
import { createMetrics } from './metrics.ts'
import type { CsvlakeApp } from './openapi.ts'
import { createRootApp } from './root-app.ts'
import { serveApp } from './serve.ts'

/**
 * Runs one function on its own, listening on PORT, as its Knative service runs it: the same app
 * the local gateway mounts, with the same tenant resolution in front, a log line per request and
 * its metrics at /metrics.
 */
export async function runFunction(name: string, build: (services: Services) => CsvlakeApp) {
  const config = loadConfig()
  const log = createLogger()
  const metrics = createMetrics(name)
  const services = await servicesForMode(config, log, metrics.service)
  const app = createRootApp(log, config, { name, metrics })
  // Knative's readiness and liveness probe.
  app.get('/healthz', (c) => c.json({ status: 'ok', function: name }))
  app.route('/', build(services))
  serveApp({ app: app as never, config, log, name, close: () => services.close() })
}
