// The files function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, z } from '../core/zod.ts'
import { FileMeta } from '../core/files/file-meta.ts'
import { defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { FileId } from '../core/ids.ts'

export const listRoute = defineRoute({
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

export const deleteRoute = defineRoute({
  method: 'delete',
  path: '/api/files/{fileId}',
  summary: 'Delete an upload (tables loaded from it stay)',
  request: { params: z.object({ fileId: FileId }) },
  responses: { 200: json(z.object({ deleted: FileId }), 'Deleted'), ...errors(400, 404) },
})

/** Every route of the files function, in the order its app registers them (the document's order). */
export const routes = [listRoute, deleteRoute]
