import { createRoute } from '@hono/zod-openapi'
import { z } from '../core/zod.ts'
import { createApp, errors, json } from '../core/http/openapi.ts'
import { FileId } from '../core/ids.ts'
import { Dialect } from '../core/ingest/dialect.ts'
import { previewFile } from '../core/ingest/preview-file.ts'
import type { Services } from '../core/services.ts'

const Preview = z
  .object({
    fileId: FileId,
    name: z.string(),
    size: z.number().int(),
    dialect: Dialect,
    columns: z.array(z.object({ name: z.string(), type: z.string().openapi({ example: 'bigint' }) })),
    rows: z.array(z.record(z.string(), z.string().nullable())).openapi({
      description: 'Rows as objects keyed by column name; an empty cell is null, as the table will load it',
    }),
    problems: z.array(z.object({ line: z.number().int(), message: z.string() })),
    truncated: z.boolean().openapi({ description: 'True when the file goes on past the head that was read' }),
    multilineFields: z.boolean(),
  })
  .openapi('Preview')

const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true')

const previewRoute = createRoute({
  method: 'get',
  path: '/api/preview',
  summary: 'The first rows of an upload, parsed as ingest will parse them',
  request: {
    query: z.object({
      fileId: FileId,
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      header: booleanParam.optional().openapi({ description: 'Override: is the first row a header?' }),
      delimiter: Dialect.shape.delimiter.optional(),
      quote: z.string().length(1).optional(),
      escape: z.string().length(1).optional(),
      encoding: z.string().min(1).max(40).optional(),
    }),
  },
  responses: { 200: json(Preview, 'The head of the file as rows'), ...errors(400, 404) },
})

export function createPreviewApp(deps: Pick<Services, 'store' | 'config' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(previewRoute, async (c) => {
    const { fileId, limit, ...override } = c.req.valid('query')
    const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined))
    const preview = await previewFile(
      { store: deps.store, headBytes: deps.config.previewHeadBytes },
      c.var.tenant,
      fileId,
      limit,
      defined,
    )
    return c.json(preview, 200)
  })
  return app
}
