import { deleteFile, listFilesPage } from '../core/files/file-registry.ts'
import { createApp } from '../core/http/openapi.ts'
import { decodeAfterToken, encodeAfterToken } from '../core/ids.ts'
import type { Services } from '../core/services.ts'
import { listRoute, deleteRoute } from './routes.ts'

export function createFilesApp(deps: Pick<Services, 'store' | 'usage' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(listRoute, async (c) => {
    const { limit, nextToken } = c.req.valid('query')
    const after = decodeAfterToken(nextToken, 'f')
    const page = await listFilesPage(deps.store, c.var.tenant, { limit: limit ?? 100, ...(after ? { after } : {}) })
    return c.json({ files: page.files, ...(page.after ? { nextToken: encodeAfterToken(page.after) } : {}) }, 200)
  })
  app.openapi(deleteRoute, async (c) => {
    const { fileId } = c.req.valid('param')
    await deleteFile(deps, c.var.tenant, fileId)
    return c.json({ deleted: fileId }, 200)
  })
  return app
}
