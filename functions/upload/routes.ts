// The upload function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, z } from '../core/zod.ts'
import { FileMeta } from '../core/files/file-meta.ts'
import { defineRoute, errors, json } from '../core/http/openapi.ts'

export const uploadRoute = defineRoute({
  method: 'post',
  path: '/api/upload',
  summary: 'Upload a CSV file (or .csv.gz), or a Parquet file',
  description:
    'Multipart form data with the file in the field `file`. The body is streamed to storage, hashed and counted on the way; ' +
    'the file is listed only once complete. Its bytes decide its `format`: a file that starts and ends with PAR1 is Parquet (its footer is read ' +
    'and must parse), whatever its name. Refused: no file, an empty file, a binary file that is not Parquet, a file named .parquet that is not ' +
    '(400 NOT_PARQUET), a file over the limit or past the storage quota ' +
    '(413; what is left of it is held for the upload before a byte is accepted, so concurrent uploads cannot together pass it).',
  request: {
    body: {
      content: { 'multipart/form-data': { schema: z.object({ file: doc(z.any(), { type: 'string', format: 'binary' }) }) } },
      required: true,
    },
  },
  responses: { 201: json(FileMeta, 'Stored; its dialect was detected from the head'), ...errors(400, 413, 415) },
})

/** Every route of the upload function, in the order its app registers them (the document's order). */
export const routes = [uploadRoute]
