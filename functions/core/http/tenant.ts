import type { MiddlewareHandler } from 'hono'
import type { TenantId } from '../tenant.ts'
import type { TenantEnv } from './openapi.ts'

/**
 * Decides whose data a request may touch. Without an identity provider every caller is the
 * one local tenant; the identity issue replaces this with JWT verification.
 */
export function fixedTenant(tenant: TenantId): MiddlewareHandler<TenantEnv> {
  return async (c, next) => {
    c.set('tenant', tenant)
    await next()
  }
}
