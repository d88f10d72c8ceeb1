import { pipeline } from 'node:stream'
import { doc, named, z } from '../core/zod.ts'
import { AppError } from '../core/errors.ts'
import { createApp, defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { downloadLinks } from '../core/http/download-links.ts'
import { pullStream } from '../core/http/web-stream.ts'
import { newId, QueryId } from '../core/ids.ts'
import type { QueryEngine, QueryRecord } from '../core/ports/query-engine.ts'
import { decodePageToken, encodePageToken, MAX_PAGE_ROWS } from '../core/query/page-token.ts'
import { spreadsheetSafeCsv } from '../core/query/spreadsheet-safe-csv.ts'
import type { Services } from '../core/services.ts'
import type { TenantId } from '../core/tenant.ts'

const Cell = doc(z.any(), { description: 'number, string (big integers, decimals, dates), boolean or null' })

const QueryResult = named(
  'QueryResult',
  z.object({
    queryId: QueryId,
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
    sql: z.string(),
    submittedAt: z.string(),
    endedAt: z.optional(z.string()),
    columns: z.optional(z.array(z.object({ name: z.string(), type: z.string() }))),
    rows: z.optional(z.array(z.array(Cell))),
    rowCount: doc(z.optional(z.int()), { description: 'Rows in the whole result, not just this page' }),
    offset: z.optional(z.int()),
    nextToken: z.optional(z.string()),
    stats: z.optional(z.object({ elapsedMs: z.number() })),
    reusedFrom: doc(z.optional(z.string()), {
      description: 'Answered from the result of this earlier query (the same SQL over the same tables): no SQL ran',
    }),
    error: z.optional(
      z.object({ code: z.string(), message: z.string(), line: z.optional(z.int()), column: z.optional(z.int()) }),
    ),
  }),
)

const RunQuery = named(
  'RunQuery',
  z.strictObject({
    sql: z.string().check(z.minLength(1, 'Write some SQL to run'), z.maxLength(100_000)),
    waitMs: doc(z.optional(z.int().check(z.minimum(0), z.maximum(60_000))), {
      description: 'How long to wait for the result before answering 202',
    }),
    maxResults: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_PAGE_ROWS))),
    reuse: doc(z.optional(z.boolean()), {
      description:
        'May the result of the same SQL, run since your tables last changed, answer this one (default true)? ' +
        'SQL that reads the clock, random numbers or a sample always runs.',
    }),
  }),
)

const idParam = z.object({ queryId: QueryId })

const runRoute = defineRoute({
  method: 'post',
  path: '/api/query',
  summary: 'Run one read-only SQL statement over your tables',
  request: { body: { content: { 'application/json': { schema: RunQuery } }, required: true } },
  responses: {
    200: json(QueryResult, 'Ended within waitMs: the first page'),
    202: json(QueryResult, 'Still running: poll GET /api/query/{queryId}'),
    ...errors(400, 403, 429),
  },
})

const getRoute = defineRoute({
  method: 'get',
  path: '/api/query/{queryId}',
  summary: 'A query: its status, and a page of its result',
  request: {
    params: idParam,
    query: z.object({
      nextToken: z.optional(z.string().check(z.maxLength(200))),
      maxResults: z.optional(intParam(1, MAX_PAGE_ROWS)),
    }),
  },
  responses: { 200: json(QueryResult, 'The query'), ...errors(400, 404) },
})

const cancelRoute = defineRoute({
  method: 'delete',
  path: '/api/query/{queryId}',
  summary: 'Cancel a running query',
  request: { params: idParam },
  responses: { 200: json(QueryResult, 'The query, CANCELLED unless it had ended'), ...errors(400, 404) },
})

const exportRoute = defineRoute({
  method: 'get',
  path: '/api/query/{queryId}/results.csv',
  summary: 'The whole result as CSV, streamed',
  request: {
    params: idParam,
    query: z.object({
      access: doc(z.optional(z.string().check(z.maxLength(1000))), {
        description: "A signed download link's token (POST .../download), in place of the bearer token",
      }),
      safe: doc(z.optional(z.enum(['spreadsheet'])), {
        description:
          'spreadsheet: safe to open in Excel, LibreOffice or Google Sheets (CSV injection). Every text cell, and every ' +
          "header, that starts with = + - @, a tab or a carriage return gets a leading single quote (') so it shows as " +
          "text instead of running as a formula: =HYPERLINK(\"x\") becomes '=HYPERLINK(\"x\"), and the text -5 becomes '-5. " +
          'Cells of number columns are left as they are (-5 stays -5). The data changes for other programs, so use it ' +
          'only for spreadsheets. Works with a signed download link too (add &safe=spreadsheet).',
      }),
    }),
  },
  responses: { 200: { content: { 'text/csv': { schema: z.string() } }, description: 'CSV with a header row' }, ...errors(400, 404, 409) },
})

const DownloadLink = named(
  'DownloadLink',
  z.object({
    url: doc(z.string(), { example: '/api/query/q_9f8e7d6c5b4a39281706f5e4d3c2b1a0/results.csv?access=eyJ0Ijoi...' }),
    expiresAt: z.string(),
  }),
)

const downloadRoute = defineRoute({
  method: 'post',
  path: '/api/query/{queryId}/download',
  summary: 'A link to the whole result as CSV that opens without the bearer token for a minute',
  description: 'For browsers: a plain link cannot send Authorization, and fetching the export into memory does not scale. The link opens this one export only.',
  request: { params: idParam },
  responses: { 200: json(DownloadLink, 'The link'), ...errors(400, 404, 409) },
})

export function createQueryApp(deps: Pick<Services, 'queries' | 'config' | 'log'>) {
  const app = createApp(deps.log)
  const engine = deps.queries
  // The first query should not wait for the engine's process to start.
  engine.warm?.()

  app.openapi(runRoute, async (c) => {
    const body = c.req.valid('json')
    const queryId = newId('q')
    await engine.start(c.var.tenant, queryId, body.sql, { reuse: body.reuse })
    const record = await engine.wait(c.var.tenant, queryId, body.waitMs ?? deps.config.query.defaultWaitMs)
    if (record.status === 'FAILED' && record.error) {
      // A SQL error found while running is still the SQL's fault: 400, with where it was. A
      // refusal found by a plan that outlasted start() is still a refusal: 403.
      throw new AppError(record.error.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'SQL_ERROR', record.error.message, {
        queryId,
        line: record.error.line,
        column: record.error.column,
        reason: record.error.code,
      })
    }
    const answer = await present(engine, c.var.tenant, record, 0, body.maxResults)
    return c.json(answer, record.status === 'RUNNING' ? 202 : 200)
  })

  app.openapi(getRoute, async (c) => {
    const { queryId } = c.req.valid('param')
    const { nextToken, maxResults } = c.req.valid('query')
    const offset = decodePageToken(nextToken)
    const record = await engine.get(c.var.tenant, queryId)
    return c.json(await present(engine, c.var.tenant, record, offset, maxResults), 200)
  })

  app.openapi(cancelRoute, async (c) => {
    const { queryId } = c.req.valid('param')
    return c.json(await present(engine, c.var.tenant, await engine.cancel(c.var.tenant, queryId), 0, 0), 200)
  })

  const downloads = downloadLinks(deps.config.downloadSecret)
  app.openapi(downloadRoute, async (c) => {
    const { queryId } = c.req.valid('param')
    const record = await engine.get(c.var.tenant, queryId)
    if (record.status !== 'SUCCEEDED') {
      throw new AppError('CONFLICT', `The query is ${record.status.toLowerCase()}; only a query that succeeded has a result to download.`)
    }
    const { token, expiresAt } = downloads.sign(c.var.tenant, queryId)
    return c.json({ url: `/api/query/${encodeURIComponent(queryId)}/results.csv?access=${token}`, expiresAt }, 200)
  })

  app.openapi(exportRoute, async (c) => {
    const { queryId } = c.req.valid('param')
    const { safe } = c.req.valid('query')
    // The column types first: nothing is opened before every check has passed.
    const columns = safe === 'spreadsheet' ? ((await engine.get(c.var.tenant, queryId)).columns ?? []) : undefined
    const stored = await engine.exportCsv(c.var.tenant, queryId)
    // Streamed through the transform: a big export is never held in memory.
    const csv = columns ? pipeline(stored, spreadsheetSafeCsv(columns), () => {}) : stored
    return new Response(pullStream(csv), {
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${queryId}.csv"`,
      },
    })
  })

  return app
}

async function present(engine: QueryEngine, tenant: TenantId, record: QueryRecord, offset: number, maxResults?: number) {
  const base = {
    queryId: record.queryId,
    status: record.status,
    sql: record.sql,
    submittedAt: record.submittedAt,
    ...(record.endedAt ? { endedAt: record.endedAt, stats: { elapsedMs: Date.parse(record.endedAt) - Date.parse(record.submittedAt) } } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.reusedFrom ? { reusedFrom: record.reusedFrom } : {}),
  }
  if (record.status !== 'SUCCEEDED') return base
  const rowCount = record.rowCount ?? 0
  if (offset > rowCount) throw new AppError('BAD_REQUEST', `nextToken points past the end of the result (${rowCount} rows).`)
  const limit = maxResults ?? MAX_PAGE_ROWS
  const page = limit === 0 ? { rows: [], columns: record.columns ?? [] } : await engine.page(tenant, record.queryId, offset, limit)
  const next = offset + page.rows.length
  return {
    ...base,
    columns: record.columns ?? page.columns,
    rows: page.rows,
    rowCount,
    offset,
    ...(limit > 0 && next < rowCount ? { nextToken: encodePageToken(next) } : {}),
  }
}
