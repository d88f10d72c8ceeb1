import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { AppError, errorBody } from '../errors.ts'
import type { Logger } from '../logger.ts'

/** Maps any thrown error to the API's one error shape. Unknown errors are bugs: logged, answered 500. */
export function createOnError(log: Logger): ErrorHandler {
  return (err, c) => {
    // A body refused before it was read leaves bytes on the socket: the client must not reuse it.
    if (err instanceof AppError && err.status === 413) c.header('connection', 'close')
    if (err instanceof AppError && err.status === 429) c.header('retry-after', String(err.details.retryAfterSeconds ?? 1))
    if (err instanceof AppError) {
      // A service out of reach (503) is the operator's to see: logged with what caused it.
      if (err.status >= 500) log.warn('service unavailable', { path: c.req.path, method: c.req.method, code: err.code, message: err.message, ...err.details, cause: describe(err.cause) })
      return c.json(errorBody(err), err.status as ContentfulStatusCode)
    }
    if (err instanceof HTTPException) {
      // Hono's own refusals (the JSON validator's): same shape, with a message a person can act on.
      const status = err.status as ContentfulStatusCode
      if (status === 415) {
        return c.json({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send a JSON body with the header content-type: application/json.' } }, 415)
      }
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'
      const message = /malformed json/i.test(err.message) ? 'The body is not valid JSON; check quotes, commas and brackets.' : err.message
      return c.json({ error: { code, message: message || 'The request could not be handled' } }, status)
    }
    log.error('unhandled error', { path: c.req.path, method: c.req.method, err: describe(err) })
    return c.json(
      { error: { code: 'INTERNAL', message: 'Something went wrong on our side; the error is logged. Try again.' } },
      500,
    )
  }
}

export const onNotFound: NotFoundHandler = (c: Context) =>
  c.json({ error: { code: 'NOT_FOUND', message: `No such endpoint: ${c.req.method} ${c.req.path}. See /api/docs.` } }, 404)

function describe(err: unknown): unknown {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err
}
