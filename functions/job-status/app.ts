import { doc, named, z } from '../core/zod.ts'
import { createApp, defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { decodeAfterToken, encodeAfterToken, JobId } from '../core/ids.ts'
import { DialectOverride } from '../core/ingest/dialect.ts'
import type { JobRecord } from '../core/ports/workflow.ts'
import type { Services } from '../core/services.ts'

const ColumnSchema = z.object({ name: z.string(), type: z.string() })

export const Job = named(
  'Job',
  z.object({
    jobId: JobId,
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
    fileId: z.string(),
    fileName: z.string(),
    mode: z.enum(['create', 'append', 'replace']),
    onError: z.enum(['fail', 'skip']),
    dialect: doc(z.readonly(DialectOverride), {
      description: 'How the file was read; submit it again with these to read it the same way',
    }),
    startedAt: z.string(),
    endedAt: z.optional(z.string()),
    executionArn: z.string(),
    steps: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CAUGHT']),
        startedAt: z.string(),
        endedAt: z.optional(z.string()),
        error: z.optional(z.string()),
        passes: z.optional(z.int()),
        retries: z.optional(z.int()),
      }),
    ),
    table: z.object({
      name: z.string(),
      columns: z.optional(z.array(ColumnSchema)),
      rowCount: z.optional(z.int()),
    }),
    rows: z.optional(
      z.object({
        read: z.int(),
        loaded: z.int(),
        rejected: z.int(),
        rejectedRows: z.array(
          z.object({ line: z.int(), column: z.nullable(z.string()), value: z.nullable(z.string()), message: z.string() }),
        ),
      }),
    ),
    error: z.optional(
      z.object({
        code: z.string(),
        message: z.string(),
        line: z.optional(z.int()),
        column: z.optional(z.string()),
        value: z.optional(z.string()),
      }),
    ),
  }),
)

const jobRoute = defineRoute({
  method: 'get',
  path: '/api/job-status',
  summary: 'The ingest workflow of a submit: status, one step per state, the table or the error',
  request: { query: z.object({ jobId: JobId }) },
  responses: { 200: json(Job, 'The job'), ...errors(400, 404) },
})

const listRoute = defineRoute({
  method: 'get',
  path: '/api/jobs',
  summary: 'Your ingest jobs, newest first, a page at a time',
  description: 'At most `limit` jobs (1..200, default 50); when there are more, `nextToken` asks for the next page.',
  request: {
    query: z.object({
      limit: z.optional(intParam(1, 200)),
      nextToken: z.optional(doc(z.string().check(z.maxLength(200)), { description: 'The nextToken of the page before, exactly as received' })),
    }),
  },
  responses: {
    200: json(
      z.object({
        jobs: z.array(Job),
        nextToken: z.optional(doc(z.string(), { description: 'Present when there are more jobs: pass it back for the next page' })),
      }),
      'Jobs',
    ),
    ...errors(400),
  },
})

export function toJob(record: JobRecord): z.infer<typeof Job> {
  const r = record.result
  return {
    jobId: record.jobId,
    status: record.status,
    fileId: record.input.fileId,
    fileName: record.input.fileName,
    mode: record.input.mode,
    onError: record.input.onError,
    dialect: {
      delimiter: record.input.dialect.delimiter,
      quote: record.input.dialect.quote,
      escape: record.input.dialect.escape,
      header: record.input.dialect.header,
      encoding: record.input.dialect.encoding,
    },
    startedAt: record.startedAt,
    ...(record.endedAt ? { endedAt: record.endedAt } : {}),
    executionArn: record.executionArn,
    steps: record.steps,
    table: r ? { name: r.table, columns: r.columns, rowCount: r.tableRowCount } : { name: record.input.table },
    ...(r ? { rows: { read: r.rowsRead, loaded: r.rowsLoaded, rejected: r.rowsRejected, rejectedRows: r.rejected } } : {}),
    ...(record.error ? { error: record.error } : {}),
  }
}

export function createJobStatusApp(deps: Pick<Services, 'workflow' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(jobRoute, async (c) => {
    const { jobId } = c.req.valid('query')
    return c.json(toJob(await deps.workflow.describe(c.var.tenant, jobId)), 200)
  })
  app.openapi(listRoute, async (c) => {
    const { limit, nextToken } = c.req.valid('query')
    const after = decodeAfterToken(nextToken, 'j')
    const page = await deps.workflow.list(c.var.tenant, { limit: limit ?? 50, ...(after ? { after } : {}) })
    return c.json({ jobs: page.jobs.map(toJob), ...(page.after ? { nextToken: encodeAfterToken(page.after) } : {}) }, 200)
  })
  return app
}
