import { isIP } from 'node:net'
import type { MiddlewareHandler } from 'hono'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'

/** The settings that decide who can reach a server, the gateway or a function run alone. */
export type AccessConfig = Pick<Config, 'auth' | 'host' | 'allowedHosts'>

/**
 * Where to listen: HOST when it is set. Otherwise, without identity, this machine only (every
 * caller is taken for the local user); with identity every interface, as every call needs a token.
 * Undefined: every interface (Node's default).
 */
export function listenHost(config: AccessConfig): string | undefined {
  return config.host ?? (config.auth.enabled ? undefined : '127.0.0.1')
}

/** What the start-up log warns about when HOST opens a server without identity beyond this machine. */
export function openWarning(config: AccessConfig, port: number): string | undefined {
  if (config.auth.enabled || config.host === undefined || isLoopback(config.host)) return undefined
  return (
    `HOST=${config.host} without identity: anyone who can reach port ${port} can read and write as the local user. ` +
    'Set CSVLAKE_AUTH_ISSUER to require sign-in, or unset HOST to listen on this machine only.'
  )
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** A Host header: a name or an address (IPv6 in brackets), and a port. */
const HOST_HEADER = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i

/**
 * Without identity every caller is the local user, so only the user's own requests may get
 * through. The Host must be this machine's: localhost, an address, HOST when it is a name, or a
 * name in CSVLAKE_ALLOWED_HOSTS - another name that resolves here is a site reading through the
 * user's browser (DNS rebinding). And a write (POST, PUT, PATCH, DELETE) a browser sends for a page
 * of another site is refused: a form on any page may post a file to localhost without a CORS
 * preflight. A call with no Origin (curl, scripts) is not a browser acting for another site.
 *
 * With identity there is nothing to guard (undefined): every call needs a bearer token, which a
 * browser never adds on its own, and a rebinding page has none.
 */
export function localAccessGuard(config: AccessConfig): MiddlewareHandler | undefined {
  if (config.auth.enabled) return undefined
  const names = new Set(['localhost', ...config.allowedHosts])
  if (config.host !== undefined && isIP(config.host) === 0) names.add(config.host.toLowerCase())
  const allowed = (name: string) => names.has('*') || names.has(name) || isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0
  return async (c, next) => {
    // A request line may name a host of its own (GET http://name/ HTTP/1.1): both must be ours.
    const header = c.req.header('host')
    for (const host of [header, new URL(c.req.url).host]) {
      if (host === undefined) continue
      const name = HOST_HEADER.exec(host)?.[1]?.toLowerCase()
      if (name === undefined || !allowed(name)) throw unknownHost(name ?? host)
    }
    if (WRITES.has(c.req.method)) {
      const origin = c.req.header('origin')
      const own = `http://${header ?? new URL(c.req.url).host}`
      if (c.req.header('sec-fetch-site') === 'cross-site' || (origin !== undefined && !sameHost(origin, own))) throw crossSite(origin, own)
    }
    return next()
  }
}

function sameHost(origin: string, own: string) {
  return URL.canParse(origin) && new URL(origin).host === new URL(own).host
}

function isLoopback(host: string) {
  return /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host)
}

function unknownHost(name: string) {
  return new AppError(
    'FORBIDDEN',
    `This server answers to localhost and its addresses, not to the name "${name}": without identity, another name that leads ` +
      'here may be a web site reading your data through your browser (DNS rebinding). If you reach it by that name, ' +
      `start it with CSVLAKE_ALLOWED_HOSTS=${name} (or require sign-in with CSVLAKE_AUTH_ISSUER).`,
  )
}

function crossSite(origin: string | undefined, own: string) {
  return new AppError(
    'FORBIDDEN',
    `A page of another site${origin ? ` (${origin})` : ''} asked to change data here, and was refused: without identity, ` +
      `changes are taken only from csvlake's own pages (${own}) and from tools that send no Origin, such as curl. ` +
      'Use the web UI, or require sign-in with CSVLAKE_AUTH_ISSUER so that other sites can call the API with a token.',
  )
}
