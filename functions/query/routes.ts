// The query function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, named, z } from '../core/zod.ts'
import { defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { QueryId } from '../core/ids.ts'
import { MAX_PAGE_ROWS, MAX_PAGE_TOKEN_LENGTH } from '../core/query/page-token.ts'
import { historyRoutes } from './history-routes.ts'

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
    stats: z.optional(
      z.object({
        elapsedMs: z.number(),
        scannedBytes: doc(z.optional(z.number()), { description: 'Bytes the engine scanned (aws mode: what Athena bills)' }),
        engineMs: doc(z.optional(z.number()), { description: "The engine's own running time (aws mode: Athena's)" }),
      }),
    ),
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

export const runRoute = defineRoute({
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

export const getRoute = defineRoute({
  method: 'get',
  path: '/api/query/{queryId}',
  summary: 'A query: its status, and a page of its result',
  request: {
    params: idParam,
    query: z.object({
      nextToken: z.optional(z.string().check(z.maxLength(MAX_PAGE_TOKEN_LENGTH))),
      maxResults: z.optional(intParam(1, MAX_PAGE_ROWS)),
    }),
  },
  responses: { 200: json(QueryResult, 'The query'), ...errors(400, 404) },
})

export const cancelRoute = defineRoute({
  method: 'delete',
  path: '/api/query/{queryId}',
  summary: 'Cancel a running query',
  request: { params: idParam },
  responses: { 200: json(QueryResult, 'The query, CANCELLED unless it had ended'), ...errors(400, 404) },
})

export const exportRoute = defineRoute({
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

export const downloadRoute = defineRoute({
  method: 'post',
  path: '/api/query/{queryId}/download',
  summary: 'A link to the whole result as CSV that opens without the bearer token for a minute',
  description: 'For browsers: a plain link cannot send Authorization, and fetching the export into memory does not scale. The link opens this one export only.',
  request: { params: idParam },
  responses: { 200: json(DownloadLink, 'The link'), ...errors(400, 404, 409) },
})

/** Every route of the query function, in the order its app registers them (the document's order). */
export const routes = [runRoute, getRoute, cancelRoute, downloadRoute, exportRoute, ...historyRoutes]
