import { doc, z } from '../core/zod.ts'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { FileMeta } from '../core/files/file-meta.ts'
import { receiveUpload } from '../core/files/receive-upload.ts'
import { createApp, defineRoute, errors, json } from '../core/http/openapi.ts'
import type { Services } from '../core/services.ts'

const uploadRoute = defineRoute({
  method: 'post',
  path: '/api/upload',
  summary: 'Upload a CSV file (or .csv.gz)',
  description:
    'Multipart form data with the file in the field `file`. The body is streamed to storage, hashed and counted on the way; ' +
    'the file is listed only once complete. Refused: no file, an empty file, a binary file, a file over the limit or past the storage quota ' +
    '(413; what is left of it is held for the upload before a byte is accepted, so concurrent uploads cannot together pass it).',
  request: {
    body: {
      content: { 'multipart/form-data': { schema: z.object({ file: doc(z.any(), { type: 'string', format: 'binary' }) }) } },
      required: true,
    },
  },
  responses: { 201: json(FileMeta, 'Stored; its dialect was detected from the head'), ...errors(400, 413, 415) },
})

export function createUploadApp(deps: Pick<Services, 'store' | 'usage' | 'config' | 'log' | 'now'>) {
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
