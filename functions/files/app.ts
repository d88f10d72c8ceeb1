import { doc, z } from '../core/zod.ts'
import { FileMeta } from '../core/files/file-meta.ts'
import { deleteFile, listFilesPage } from '../core/files/file-registry.ts'
import { createApp, defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { decodeAfterToken, encodeAfterToken, FileId } from '../core/ids.ts'
import type { Services } from '../core/services.ts'

const listRoute = defineRoute({
  method: 'get',
  path: '/api/files',
  summary: "The caller's uploads, newest first, a page at a time",
  description: 'At most `limit` uploads (1..1000, default 100); when there are more, `nextToken` asks for the next page.',
  request: {
    query: z.object({
      limit: z.optional(intParam(1, 1000)),
      nextToken: z.optional(doc(z.string().check(z.maxLength(200)), { description: 'The nextToken of the page before, exactly as received' })),
    }),
  },
  responses: {
    200: json(
      z.object({
        files: z.array(FileMeta),
        nextToken: z.optional(doc(z.string(), { description: 'Present when there are more uploads: pass it back for the next page' })),
      }),
      'Uploads',
    ),
    ...errors(400),
  },
})

const deleteRoute = defineRoute({
  method: 'delete',
  path: '/api/files/{fileId}',
  summary: 'Delete an upload (tables loaded from it stay)',
  request: { params: z.object({ fileId: FileId }) },
  responses: { 200: json(z.object({ deleted: FileId }), 'Deleted'), ...errors(400, 404) },
})

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
