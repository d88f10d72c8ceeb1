import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.ts'
import { tenantId, type TenantId } from '../tenant.ts'

/**
 * Short-lived links to one query's CSV export, for a browser to download directly (streamed to
 * disk) when the API needs a bearer token a plain link cannot send - as S3 pre-signed URLs are.
 * A link names its tenant, its query and when it expires, signed with HMAC-SHA256; it opens that
 * one export and nothing else.
 */
export type DownloadLinks = {
  sign(tenant: TenantId, queryId: string, now?: number): { token: string; expiresAt: string }
  /** The tenant a valid link was made for; throws UNAUTHORIZED for a bad, foreign or expired one. */
  verify(token: string, queryId: string, now?: number): TenantId
}

type Claims = { t: string; q: string; e: number }

export function downloadLinks(secret: string, ttlMs = 60_000): DownloadLinks {
  const mac = (payload: string) => createHmac('sha256', secret).update(payload).digest()
  return {
    sign(tenant, queryId, now = Date.now()) {
      const claims: Claims = { t: tenant, q: queryId, e: Math.floor((now + ttlMs) / 1000) }
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
      return { token: `${payload}.${mac(payload).toString('base64url')}`, expiresAt: new Date(claims.e * 1000).toISOString() }
    },
    verify(token, queryId, now = Date.now()) {
      const refused = (why: string) => new AppError('UNAUTHORIZED', `${why} Ask for a new download link.`)
      const [payload, signature, extra] = token.split('.')
      if (!payload || !signature || extra !== undefined) throw refused('This download link is malformed.')
      const expected = mac(payload)
      const given = Buffer.from(signature, 'base64url')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused('This download link is not valid.')
      let claims: Claims
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims
      } catch {
        throw refused('This download link is malformed.')
      }
      if (claims.q !== queryId) throw refused('This download link is for another query.')
      if (typeof claims.e !== 'number' || claims.e * 1000 < now) throw refused('This download link has expired.')
      return tenantId(claims.t)
    },
  }
}
