// The job status function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, named, z } from '../core/zod.ts'
import { defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { JobId } from '../core/ids.ts'
import { DialectOverride } from '../core/ingest/dialect.ts'

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
    consoleUrl: z.optional(doc(z.string(), { description: "The execution's page in the Step Functions console (aws mode only)" })),
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

export const jobRoute = defineRoute({
  method: 'get',
  path: '/api/job-status',
  summary: 'The ingest workflow of a submit: status, one step per state, the table or the error',
  request: { query: z.object({ jobId: JobId }) },
  responses: { 200: json(Job, 'The job'), ...errors(400, 404) },
})

export const listRoute = defineRoute({
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

/** Every route of the job status function, in the order its app registers them (the document's order). */
export const routes = [jobRoute, listRoute]
