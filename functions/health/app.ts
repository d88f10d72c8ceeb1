import { createApp } from '../core/http/openapi.ts'
import type { Services } from '../core/services.ts'
import { healthRoute, configRoute } from './routes.ts'

export function createHealthApp(deps: Pick<Services, 'config' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const, mode: deps.config.mode }, 200))
  const auth = deps.config.auth
  const identity = auth.enabled
    ? { enabled: true, issuer: auth.issuer, domain: new URL(auth.issuer).host, audience: auth.audience, ...(auth.clientId ? { clientId: auth.clientId } : {}) }
    : { enabled: false }
  app.openapi(configRoute, (c) => c.json({ mode: deps.config.mode, identity, maxUploadBytes: deps.config.maxUploadBytes }, 200))
  return app
}
