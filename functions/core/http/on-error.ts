import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { AppError, errorBody } from '../errors.ts'
import type { Logger } from '../logger.ts'

/** Maps any thrown error to the API's one error shape. Unknown errors are bugs: logged, answered 500. */
export function createOnError(log: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof AppError) return c.json(errorBody(err), err.status as ContentfulStatusCode)
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'
      return c.json({ error: { code, message: err.message || 'The request could not be handled' } }, status)
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
