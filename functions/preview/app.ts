import { createApp } from '../core/http/openapi.ts'
import { previewFile } from '../core/ingest/preview-file.ts'
import type { Services } from '../core/services.ts'
import { previewRoute } from './routes.ts'

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
