// The submit function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, named, z } from '../core/zod.ts'
import { defineRoute, errors, json } from '../core/http/openapi.ts'
import { FileId, JobId } from '../core/ids.ts'
import { DialectOverride } from '../core/ingest/dialect.ts'

const SubmitBody = named(
  'Submit',
  z.strictObject({
    fileId: FileId,
    table: doc(z.optional(z.string().check(z.maxLength(64))), {
      description: 'Defaults to the file name: "City People.csv" -> city_people',
    }),
    mode: z._default(z.enum(['create', 'append', 'replace']), 'create'),
    onError: doc(z._default(z.enum(['fail', 'skip']), 'fail'), {
      description: 'fail: the first bad row fails the job with its line; skip: bad rows are counted and listed',
    }),
    dialect: z.optional(DialectOverride),
  }),
)

const Submitted = named(
  'Submitted',
  z.object({ jobId: JobId, status: z.literal('RUNNING'), table: z.string(), executionArn: z.string() }),
)

export const submitRoute = defineRoute({
  method: 'post',
  path: '/api/submit',
  summary: 'Start the ingest workflow for an upload',
  request: { body: { content: { 'application/json': { schema: SubmitBody } }, required: true } },
  responses: { 202: json(Submitted, 'The workflow started; follow it with /api/job-status'), ...errors(400, 404, 409) },
})

/** Every route of the submit function, in the order its app registers them (the document's order). */
export const routes = [submitRoute]
