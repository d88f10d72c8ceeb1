import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { Logger } from '../logger.ts'
import type { TenantEnv } from './openapi.ts'

/**
 * One request as the log line tells it. Only what an operator needs to follow a request: never a
 * header (tokens), never the query string (signed download links carry `access=`), never a body
 * (SQL, file contents).
 */
export type RequestRecord = {
  requestId: string
  function: string
  /** The route that answered, as registered (`/api/query/:queryId`); the bare path when none did. */
  route: string
  method: string
  tenant?: string
  status: number
  latencyMs: number
  bytesIn?: number
  bytesOut?: number
  /** The client went away before the whole response was sent. */
  aborted?: true
}

/** What the metrics take of a request: the route pattern only, so their label values stay few. */
export type RequestObservation = { route: string; method: string; status: number; seconds: number }

export type RequestLogOptions = {
  log: Logger
  /** The function that serves the request (`query`, …; `gateway` when one process serves them all). */
  name: string
  observe?: (request: RequestObservation) => void
  clock?: () => number
  newId?: () => string
}

export const REQUEST_ID_HEADER = 'X-Request-Id'

/** Probes and scrapes come every few seconds: logged only when they fail, so they do not bury the rest. */
const QUIET_PATHS = new Set(['/healthz', '/metrics'])

/**
 * Logs one JSON line per request and tells the metrics, once the response is sent (on Node: when
 * its last byte is written or the client left, so a streamed export counts its whole time), and
 * echoes the request id: the caller's own `X-Request-Id` when it is a sane token, else a new one.
 */
export function requestLog(opts: RequestLogOptions): MiddlewareHandler<TenantEnv> {
  const clock = opts.clock ?? performance.now.bind(performance)
  const newId = opts.newId ?? randomUUID
  return async (c, next) => {
    const started = clock()
    const requestId = saneRequestId(c.req.header(REQUEST_ID_HEADER)) ?? newId()
    await next()
    setResponseHeader(c, REQUEST_ID_HEADER, requestId)
    const pattern = answeringRoute(c)
    const finish = (aborted: boolean) => {
      const status = c.res.status
      const seconds = (clock() - started) / 1000
      opts.observe?.({ route: pattern, method: c.req.method, status, seconds })
      if (QUIET_PATHS.has(c.req.path) && status < 400) return
      const record: RequestRecord = {
        requestId,
        function: opts.name,
        route: pattern.endsWith('*') ? c.req.path : pattern,
        method: c.req.method,
        ...(c.var.tenant ? { tenant: c.var.tenant } : {}),
        status,
        latencyMs: Math.round(seconds * 10_000) / 10,
        ...sizeField('bytesIn', c.req.header('content-length')),
        ...sizeField('bytesOut', c.res.headers.get('content-length')),
        ...(aborted ? { aborted: true as const } : {}),
      }
      opts.log.info('request', record)
    }
    const outgoing = nodeResponse(c)
    if (!outgoing || outgoing.writableFinished || outgoing.destroyed) return finish(false)
    outgoing.once('close', () => finish(!outgoing.writableFinished))
  }
}

/** A caller's request id, if it is one we may log and echo: short, and only token characters. */
export function saneRequestId(raw: string | undefined): string | undefined {
  return raw !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(raw) ? raw : undefined
}

/**
 * The pattern of the route whose handler answered (Hono's index of the last one run): ids stay out
 * of it. A catch-all (`*`, `/api/*`: a guard that refused, a 404, the web UI) answers as itself.
 */
function answeringRoute(c: Context): string {
  try {
    return routePath(c) || '*'
  } catch {
    return '*'
  }
}

function sizeField(name: 'bytesIn' | 'bytesOut', header: string | null | undefined): Partial<RequestRecord> {
  const bytes = header == null ? Number.NaN : Number(header)
  return Number.isSafeInteger(bytes) && bytes >= 0 ? { [name]: bytes } : {}
}

/** Adds a header to the response, also when it came with immutable headers (a fetched Response). */
function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value)
  } catch {
    const res = new Response(c.res.body, c.res)
    res.headers.set(name, value)
    c.res = res
  }
}

/** Node's response, when @hono/node-server serves the request (app.request in tests has none). */
function nodeResponse(c: Context): ServerResponse | undefined {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing
  return outgoing && typeof (outgoing as ServerResponse).once === 'function' ? (outgoing as ServerResponse) : undefined
}
