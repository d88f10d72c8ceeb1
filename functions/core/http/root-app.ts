import { Hono, type MiddlewareHandler } from 'hono'
import type { AuthConfig, Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { LOCAL_TENANT } from '../tenant.ts'
import { downloadLinks } from './download-links.ts'
import { jsonBodyLimit } from './json-body-limit.ts'
import { localAccessGuard, type AccessConfig } from './local-access.ts'
import type { Metrics } from './metrics.ts'
import { createOnError, onNotFound } from './on-error.ts'
import type { TenantEnv } from './openapi.ts'
import { requestLog } from './request-log.ts'
import { fixedTenant } from './tenant.ts'

/**
 * What stands in front of every function, whether the gateway mounts it or it runs alone:
 * the one error shape, without identity the check that a request is the local user's own (its Host
 * and, for writes, its Origin), the caller's tenant (the one local user, the subject of a verified
 * JWT, or the tenant a signed download link was made for), and the JSON body limit. First of
 * all, a log line per request (`name` is the function's), counted in `metrics`, which are served at
 * /metrics, outside /api: the ingress routes only /api and / (to the web), so only what runs
 * inside the cluster can scrape a function.
 */
export function createRootApp(log: Logger, config: AccessConfig & Pick<Config, 'downloadSecret'>, observed: { name: string; metrics?: Metrics }) {
  const { auth, downloadSecret } = config
  const { metrics } = observed
  const app = new Hono<TenantEnv>()
  app.onError(createOnError(log))
  app.notFound(onNotFound)
  app.use('*', requestLog({ log, name: observed.name, ...(metrics ? { observe: metrics.observeRequest } : {}) }))
  const guard = localAccessGuard(config)
  if (guard) app.use('*', guard)
  const caller = auth.enabled ? lazyJwtTenant(auth) : fixedTenant(LOCAL_TENANT)
  const downloads = downloadLinks(downloadSecret)
  app.use('/api/*', async (c, next) => {
    // A signed download link stands in for the token on the one export it names.
    const access = c.req.query('access')
    const exported = EXPORT_PATH.exec(c.req.path)
    if (access === undefined || !exported || c.req.method !== 'GET') return caller(c, next)
    // Query ids are plain letters, digits, _ and -: the raw segment is the id (or no id at all).
    c.set('tenant', downloads.verify(access, exported[1]!))
    return next()
  })
  app.use('/api/*', jsonBodyLimit())
  if (metrics) {
    app.get('/metrics', async (c) => {
      const { text, contentType } = await metrics.scrape()
      return c.body(text, 200, { 'content-type': contentType })
    })
  }
  return app
}

const EXPORT_PATH = /^\/api\/query\/([^/]+)\/results\.csv$/

/** The JWT check, loaded on the first call: without identity a function never loads jose. */
function lazyJwtTenant(auth: Extract<AuthConfig, { enabled: true }>): MiddlewareHandler<TenantEnv> {
  let check: Promise<MiddlewareHandler<TenantEnv>> | undefined
  return async (c, next) => {
    check ??= import('./jwt-auth.ts').then(({ jwksVerifier, jwtTenant }) => jwtTenant(jwksVerifier(auth), auth))
    return (await check)(c, next)
  }
}
