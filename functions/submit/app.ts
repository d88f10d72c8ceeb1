import { doc, named, z } from '../core/zod.ts'
import { createApp, defineRoute, errors, json } from '../core/http/openapi.ts'
import { FileId, JobId } from '../core/ids.ts'
import { DialectOverride } from '../core/ingest/dialect.ts'
import { startIngest } from '../core/ingest/start-ingest.ts'
import type { Services } from '../core/services.ts'

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

const submitRoute = defineRoute({
  method: 'post',
  path: '/api/submit',
  summary: 'Start the ingest workflow for an upload',
  request: { body: { content: { 'application/json': { schema: SubmitBody } }, required: true } },
  responses: { 202: json(Submitted, 'The workflow started; follow it with /api/job-status'), ...errors(400, 404, 409) },
})

export function createSubmitApp(deps: Pick<Services, 'store' | 'catalog' | 'workflow' | 'config' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(submitRoute, async (c) => {
    const body = c.req.valid('json')
    const job = await startIngest(
      { store: deps.store, catalog: deps.catalog, workflow: deps.workflow, headBytes: deps.config.previewHeadBytes },
      c.var.tenant,
      body,
    )
    return c.json({ jobId: job.jobId, status: 'RUNNING' as const, table: job.input.table, executionArn: job.executionArn }, 202)
  })
  return app
}
