import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { receiveUpload } from '../core/files/receive-upload.ts'
import { createApp } from '../core/http/openapi.ts'
import type { Services } from '../core/services.ts'
import { uploadRoute } from './routes.ts'

export function createUploadApp(deps: Pick<Services, 'store' | 'usage' | 'config' | 'log' | 'now' | 'metrics'>) {
  const app = createApp(deps.log)
  // Documented from the route, but read by our streaming parser, not by the validator
  // (which would call Hono's parseBody and buffer the whole file).
  app.document(uploadRoute)
  app.post(uploadRoute.path, async (c) => {
    const length = c.req.header('content-length')
    const meta = await receiveUpload(
      {
        store: deps.store,
        maxUploadBytes: deps.config.maxUploadBytes,
        usage: deps.usage,
        previewHeadBytes: deps.config.previewHeadBytes,
        now: deps.now,
        ...(deps.metrics ? { stored: (bytes: number) => deps.metrics?.uploadStored(bytes) } : {}),
      },
      c.var.tenant,
      {
        contentType: c.req.header('content-type'),
        contentLength: length === undefined ? undefined : Number(length),
        body: requestBody(c.env, c.req.raw),
      },
    )
    return c.json(meta, 201)
  })
  return app
}

/**
 * The request body as a Node stream. On Node (the gateway, a Knative function) it is the socket's
 * own IncomingMessage, read with backpressure and no copy into web streams; elsewhere (tests
 * calling app.request) the web body, converted.
 */
function requestBody(env: unknown, request: Request): Readable {
  const incoming = (env as { incoming?: unknown } | undefined)?.incoming
  if (incoming instanceof Readable) return incoming
  return request.body ? Readable.fromWeb(request.body as WebReadableStream<Uint8Array>) : Readable.from([])
}
