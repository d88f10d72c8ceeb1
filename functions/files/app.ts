import { z } from '../core/zod.ts'
import { FileMeta } from '../core/files/file-meta.ts'
import { deleteFile, listFiles } from '../core/files/file-registry.ts'
import { createApp, defineRoute, errors, json } from '../core/http/openapi.ts'
import { FileId } from '../core/ids.ts'
import type { Services } from '../core/services.ts'

const listRoute = defineRoute({
  method: 'get',
  path: '/api/files',
  summary: "The caller's uploads, newest first",
  responses: { 200: json(z.object({ files: z.array(FileMeta) }), 'Uploads') },
})

const deleteRoute = defineRoute({
  method: 'delete',
  path: '/api/files/{fileId}',
  summary: 'Delete an upload (tables loaded from it stay)',
  request: { params: z.object({ fileId: FileId }) },
  responses: { 200: json(z.object({ deleted: FileId }), 'Deleted'), ...errors(400, 404) },
})

export function createFilesApp(deps: Pick<Services, 'store' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(listRoute, async (c) => c.json({ files: await listFiles(deps.store, c.var.tenant) }, 200))
  app.openapi(deleteRoute, async (c) => {
    const { fileId } = c.req.valid('param')
    await deleteFile(deps.store, c.var.tenant, fileId)
    return c.json({ deleted: fileId }, 200)
  })
  return app
}
