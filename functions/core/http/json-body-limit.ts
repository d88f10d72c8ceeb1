import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { AppError } from '../errors.ts'

/** JSON bodies are small (a submit, a query); a bigger one is refused before it is read whole. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024

/** Every call but the upload (which streams) gets the JSON body limit. */
export function jsonBodyLimit(maxBytes = MAX_JSON_BODY_BYTES): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', `Request bodies are at most ${maxBytes / 1024} KiB here; files go to POST /api/upload.`)
    },
  })
  return async (c, next) => (c.req.path === '/api/upload' ? next() : limit(c, next))
}
