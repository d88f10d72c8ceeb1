// The query function's history and saved-query routes as data (see routes.ts): what a tenant ran,
// from the query records, and what it saved, so both follow the user to any browser.
import { doc, named, z } from '../core/zod.ts'
import { defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { QueryId } from '../core/ids.ts'

/** The most SQL one history entry carries; the whole text is GET /api/query/{queryId}'s. */
export const HISTORY_SQL_CHARS = 2000

const QuerySummary = named(
  'QuerySummary',
  z.object({
    queryId: QueryId,
    sql: doc(z.string(), { description: `The SQL, its first ${HISTORY_SQL_CHARS.toLocaleString('en-US')} characters (sqlTruncated says when there is more)` }),
    sqlTruncated: z.optional(z.boolean()),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
    submittedAt: z.string(),
    endedAt: z.optional(z.string()),
    elapsedMs: z.optional(z.number()),
    rowCount: z.optional(z.int()),
    reusedFrom: z.optional(z.string()),
    error: z.optional(z.object({ code: z.string(), message: z.string() })),
  }),
)

const page = z.object({
  limit: z.optional(intParam(1, 200)),
  nextToken: z.optional(doc(z.string().check(z.maxLength(200)), { description: 'The nextToken of the page before, exactly as received' })),
})
const nextToken = z.optional(doc(z.string(), { description: 'Present when there are more: pass it back for the next page' }))

export const historyRoute = defineRoute({
  method: 'get',
  path: '/api/queries',
  summary: 'The queries you ran, newest first, a page at a time',
  description:
    'Your history across browsers, from the query records: kept as long as their results (CSVLAKE_RESULT_TTL_HOURS, a week by default). ' +
    'At most `limit` queries (1..200, default 50); `nextToken` asks for the next page.',
  request: { query: page },
  responses: { 200: json(z.object({ queries: z.array(QuerySummary), nextToken }), 'Queries'), ...errors(400) },
})

const SavedQueryId = doc(z.string().check(z.regex(/^s_[0-9a-f]{32}$/, 'Not a saved query id')), { example: 's_9f8e7d6c5b4a39281706f5e4d3c2b1a0' })

const ChartSettings = named(
  'ChartSettings',
  doc(
    z.strictObject({
      kind: z.enum(['bar', 'line', 'area', 'scatter']),
      x: z.string().check(z.minLength(1), z.maxLength(300)),
      y: z.array(z.string().check(z.minLength(1), z.maxLength(300))).check(z.minLength(1), z.maxLength(10)),
      series: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
    }),
    { description: "How the result is charted: the kind, the x column, up to 10 y columns, and a column whose values split the series" },
  ),
)

const SavedQuery = named(
  'SavedQuery',
  z.object({
    savedQueryId: SavedQueryId,
    name: z.string(),
    sql: z.string(),
    description: z.optional(z.string()),
    chart: z.optional(ChartSettings),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
)

const name = z.string().check(
  z.refine((s) => s.trim().length > 0, 'Give the query a name'),
  z.maxLength(200, 'A name is at most 200 characters'),
)
const sql = z.string().check(z.minLength(1, 'A saved query needs some SQL'), z.maxLength(100_000))
const description = z.string().check(z.maxLength(2000, 'A description is at most 2,000 characters'))

const NewSavedQuery = named('NewSavedQuery', z.strictObject({ name, sql, description: z.optional(description), chart: z.optional(ChartSettings) }))
const SavedQueryChange = named(
  'SavedQueryChange',
  doc(
    z.strictObject({ name: z.optional(name), sql: z.optional(sql), description: z.optional(z.nullable(description)), chart: z.optional(z.nullable(ChartSettings)) }),
    { description: 'The fields to change (a rename is just `name`); null removes a description or a chart' },
  ),
)

const idParam = z.object({ savedQueryId: SavedQueryId })

export const listSavedRoute = defineRoute({
  method: 'get',
  path: '/api/saved-queries',
  summary: 'Your saved queries, newest first, a page at a time',
  request: { query: page },
  responses: { 200: json(z.object({ savedQueries: z.array(SavedQuery), nextToken }), 'Saved queries'), ...errors(400) },
})

export const createSavedRoute = defineRoute({
  method: 'post',
  path: '/api/saved-queries',
  summary: 'Save a query: its name, SQL, description and chart',
  request: { body: { content: { 'application/json': { schema: NewSavedQuery } }, required: true } },
  responses: { 201: json(SavedQuery, 'Saved'), ...errors(400, 409) },
})

export const getSavedRoute = defineRoute({
  method: 'get',
  path: '/api/saved-queries/{savedQueryId}',
  summary: 'One saved query',
  request: { params: idParam },
  responses: { 200: json(SavedQuery, 'The saved query'), ...errors(400, 404) },
})

export const updateSavedRoute = defineRoute({
  method: 'patch',
  path: '/api/saved-queries/{savedQueryId}',
  summary: 'Rename a saved query, or change its SQL, description or chart',
  request: { params: idParam, body: { content: { 'application/json': { schema: SavedQueryChange } }, required: true } },
  responses: { 200: json(SavedQuery, 'The saved query as it is now'), ...errors(400, 404, 409) },
})

export const deleteSavedRoute = defineRoute({
  method: 'delete',
  path: '/api/saved-queries/{savedQueryId}',
  summary: 'Delete a saved query',
  request: { params: idParam },
  responses: { 200: json(z.object({ deleted: SavedQueryId }), 'Deleted'), ...errors(400, 404) },
})

export const historyRoutes = [historyRoute, listSavedRoute, createSavedRoute, getSavedRoute, updateSavedRoute, deleteSavedRoute]
