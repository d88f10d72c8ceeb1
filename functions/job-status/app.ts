import { createRoute } from '@hono/zod-openapi'
import { z } from '../core/zod.ts'
import { createApp, errors, json } from '../core/http/openapi.ts'
import { JobId } from '../core/ids.ts'
import { DialectOverride } from '../core/ingest/dialect.ts'
import type { JobRecord } from '../core/ports/workflow.ts'
import type { Services } from '../core/services.ts'

const ColumnSchema = z.object({ name: z.string(), type: z.string() })

export const Job = z
  .object({
    jobId: JobId,
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
    fileId: z.string(),
    fileName: z.string(),
    mode: z.enum(['create', 'append', 'replace']),
    onError: z.enum(['fail', 'skip']),
    dialect: DialectOverride.openapi({ description: 'How the file was read; submit it again with these to read it the same way' }),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    executionArn: z.string(),
    steps: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CAUGHT']),
        startedAt: z.string(),
        endedAt: z.string().optional(),
        error: z.string().optional(),
        passes: z.number().int().optional(),
        retries: z.number().int().optional(),
      }),
    ),
    table: z.object({
      name: z.string(),
      columns: z.array(ColumnSchema).optional(),
      rowCount: z.number().int().optional(),
    }),
    rows: z
      .object({
        read: z.number().int(),
        loaded: z.number().int(),
        rejected: z.number().int(),
        rejectedRows: z.array(
          z.object({ line: z.number().int(), column: z.string().nullable(), value: z.string().nullable(), message: z.string() }),
        ),
      })
      .optional(),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        line: z.number().int().optional(),
        column: z.string().optional(),
        value: z.string().optional(),
      })
      .optional(),
  })
  .openapi('Job')

const jobRoute = createRoute({
  method: 'get',
  path: '/api/job-status',
  summary: 'The ingest workflow of a submit: status, one step per state, the table or the error',
  request: { query: z.object({ jobId: JobId }) },
  responses: { 200: json(Job, 'The job'), ...errors(400, 404) },
})

const listRoute = createRoute({
  method: 'get',
  path: '/api/jobs',
  summary: 'Your most recent ingest jobs, newest first',
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }) },
  responses: { 200: json(z.object({ jobs: z.array(Job) }), 'Jobs'), ...errors(400) },
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
    const { limit } = c.req.valid('query')
    const records = await deps.workflow.list(c.var.tenant, limit ?? 50)
    return c.json({ jobs: records.map(toJob) }, 200)
  })
  return app
}
