import { createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { createRemoteJWKSet, errors as jose, jwtVerify, type JWTPayload } from 'jose'
import type { AuthConfig } from '../config.ts'
import { AppError, errorBody } from '../errors.ts'
import { tenantId, type TenantId } from '../tenant.ts'
import type { TenantEnv } from './openapi.ts'

export type Verify = (token: string) => Promise<JWTPayload>

/** Calls any caller may make without a token. */
const PUBLIC = [/^\/api\/health$/, /^\/api\/config$/, /^\/api\/openapi\.json$/, /^\/api\/docs(\/.*)?$/]

export const READ = 'read:data'
export const WRITE = 'write:data'

/**
 * Verifies RS256 JWTs against the issuer's JWKS (fetched once, cached, and fetched again when a
 * token names a key it does not know - the issuer rotated its keys), with the issuer, audience
 * and times checked (an expiry is required), a little clock skew allowed.
 */
export function jwksVerifier(auth: Extract<AuthConfig, { enabled: true }>): Verify {
  const keys = createRemoteJWKSet(new URL(auth.jwksUrl), { cooldownDuration: auth.jwksCooldownMs, cacheMaxAge: 10 * 60_000 })
  return async (token) =>
    (
      await jwtVerify(token, keys, {
        issuer: auth.issuer,
        audience: auth.audience,
        algorithms: ['RS256'],
        clockTolerance: 30,
        // A token that never expires would be good for ever once leaked.
        requiredClaims: ['exp'],
      })
    ).payload
}

/**
 * Every call but the public ones needs `Authorization: Bearer <JWT>`; the tenant is derived from
 * the token's subject (or the configured claim), and the permissions claim must grant the call.
 */
export function jwtTenant(verify: Verify, opts: { tenantClaim: string; permissions: boolean }): MiddlewareHandler<TenantEnv> {
  return async (c, next) => {
    if (PUBLIC.some((p) => p.test(c.req.path))) return next()
    const header = c.req.header('authorization') ?? ''
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1]
    if (!token) return refuse(c, 'Sign in: send the header Authorization: Bearer <access token>.', false)
    let claims: JWTPayload
    try {
      claims = await verify(token)
    } catch (err) {
      if (err instanceof jose.JWKSTimeout || (err instanceof Error && /fetch|ECONNREFUSED|network/i.test(err.message) && !(err instanceof jose.JOSEError))) {
        return c.json(errorBody(new AppError('UNAVAILABLE', 'The identity provider cannot be reached to check the token; try again.')), 503)
      }
      return refuse(c, why(err), true)
    }
    const subject = claims[opts.tenantClaim]
    if (typeof subject !== 'string' || subject === '') return refuse(c, `The token has no ${opts.tenantClaim} claim to say who you are.`, true)
    if (opts.permissions) {
      const needed = needs(c.req.method, c.req.path)
      if (!grants(claims).has(needed)) {
        return c.json(errorBody(new AppError('FORBIDDEN', `This call needs the permission ${needed}; ask an administrator to grant it.`)), 403)
      }
    }
    c.set('tenant', tenantOf(subject))
    return next()
  }
}

/** A tenant id safe in object keys and paths, stable for a subject, and not guessable from another's. */
export function tenantOf(subject: string): TenantId {
  const readable = subject.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32)
  const digest = createHash('sha256').update(subject).digest('hex').slice(0, 16)
  return tenantId(`u-${readable ? `${readable}-` : ''}${digest}`)
}

/** Writes change data; everything else (reading, querying) needs read. */
function needs(method: string, path: string): string {
  if (method === 'POST' && (path === '/api/upload' || path === '/api/submit')) return WRITE
  if (method === 'DELETE' && (path.startsWith('/api/files/') || path.startsWith('/api/tables/'))) return WRITE
  return READ
}

function grants(claims: JWTPayload): Set<string> {
  const permissions = Array.isArray(claims.permissions) ? claims.permissions.filter((p): p is string => typeof p === 'string') : []
  const scope = typeof claims.scope === 'string' ? claims.scope.split(' ') : []
  return new Set([...permissions, ...scope])
}

/** What was wrong with the token, in words; never which key or secret would have worked. */
function why(err: unknown): string {
  if (err instanceof jose.JWTExpired) return 'The token has expired; sign in again.'
  if (err instanceof jose.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'The token was issued for another API (audience).'
    if (err.claim === 'iss') return 'The token was issued by another issuer.'
    if (err.claim === 'nbf') return 'The token is not valid yet.'
    if (err.claim === 'exp' && err.reason === 'missing') return 'The token has no expiry (exp claim); csvlake accepts only tokens that expire - configure the issuer to set one.'
    return `The token's ${err.claim} claim is not valid.`
  }
  if (err instanceof jose.JOSEAlgNotAllowed) return 'Tokens must be signed with RS256.'
  if (err instanceof jose.JWKSNoMatchingKey) return 'The token was signed with a key the issuer does not publish.'
  if (err instanceof jose.JWSSignatureVerificationFailed) return 'The token signature does not verify.'
  return 'The token is not a valid JWT.'
}

function refuse(c: Parameters<MiddlewareHandler>[0], message: string, invalid: boolean) {
  const error = invalid ? `, error="invalid_token", error_description="${message.replaceAll('"', "'")}"` : ''
  c.header('WWW-Authenticate', `Bearer realm="csvlake"${error}`)
  return c.json(errorBody(new AppError('UNAUTHORIZED', message)), 401)
}
