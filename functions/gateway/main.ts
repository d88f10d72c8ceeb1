import { loadConfig } from '../core/config.ts'
import { createMetrics } from '../core/http/metrics.ts'
import { serveApp } from '../core/http/serve.ts'
import { createLogger } from '../core/logger.ts'
import { servicesForMode } from '../core/adapters/services-for-mode.ts'
import { createGatewayApp } from './app.ts'

const config = loadConfig()
const log = createLogger()
const metrics = createMetrics('gateway')
const services = await servicesForMode(config, log, metrics.service)
const recovered = await services.recover()
log.info('csvlake started', {
  mode: config.mode,
  dataDir: config.dataDir,
  identity: config.auth.enabled
    ? `JWTs from ${config.auth.issuer} for ${config.auth.audience}`
    : 'none: every caller is the one local user (set CSVLAKE_AUTH_ISSUER and CSVLAKE_AUTH_AUDIENCE to require sign-in)',
  recovered,
})
serveApp({ app: createGatewayApp(services, metrics) as never, config, log, name: 'csvlake', close: () => services.close() })
