import { OpenAPIHono } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import type { AuthConfig } from '../config.ts'
import type { Logger } from '../logger.ts'
import { LOCAL_TENANT } from '../tenant.ts'
import { jsonBodyLimit } from './json-body-limit.ts'
import { createOnError, onNotFound } from './on-error.ts'
import type { TenantEnv } from './openapi.ts'
import { fixedTenant } from './tenant.ts'

/**
 * What stands in front of every function, whether the gateway mounts it or it runs alone:
 * the one error shape, the caller's tenant (the one local user, or the subject of a verified JWT),
 * and the JSON body limit.
 */
export function createRootApp(log: Logger, auth: AuthConfig) {
  const app = new OpenAPIHono<TenantEnv>()
  app.onError(createOnError(log))
  app.notFound(onNotFound)
  app.use('/api/*', auth.enabled ? lazyJwtTenant(auth) : fixedTenant(LOCAL_TENANT))
  app.use('/api/*', jsonBodyLimit())
  return app
}

/** The JWT check, loaded on the first call: without identity a function never loads jose. */
function lazyJwtTenant(auth: Extract<AuthConfig, { enabled: true }>): MiddlewareHandler<TenantEnv> {
  let check: Promise<MiddlewareHandler<TenantEnv>> | undefined
  return async (c, next) => {
    check ??= import('./jwt-auth.ts').then(({ jwksVerifier, jwtTenant }) => jwtTenant(jwksVerifier(auth), auth))
    return (await check)(c, next)
  }
}
