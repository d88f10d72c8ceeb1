import { OpenAPIHono } from '@hono/zod-openapi'
import type { Logger } from '../logger.ts'
import { LOCAL_TENANT } from '../tenant.ts'
import { jsonBodyLimit } from './json-body-limit.ts'
import { createOnError, onNotFound } from './on-error.ts'
import type { TenantEnv } from './openapi.ts'
import { fixedTenant } from './tenant.ts'

/**
 * What stands in front of every function, whether the gateway mounts it or it runs alone:
 * the one error shape, the caller's tenant, and the JSON body limit.
 */
export function createRootApp(log: Logger) {
  const app = new OpenAPIHono<TenantEnv>()
  app.onError(createOnError(log))
  app.notFound(onNotFound)
  app.use('/api/*', fixedTenant(LOCAL_TENANT))
  app.use('/api/*', jsonBodyLimit())
  return app
}
