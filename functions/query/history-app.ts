import { decodeAfterToken, encodeAfterToken } from '../core/ids.ts'
import type { CsvlakeApp } from '../core/http/openapi.ts'
import { QueryRecords, type QueryRecord } from '../core/query/query-records.ts'
import { SavedQueries } from '../core/query/saved-queries.ts'
import type { Services } from '../core/services.ts'
import { createSavedRoute, deleteSavedRoute, getSavedRoute, HISTORY_SQL_CHARS, historyRoute, listSavedRoute, updateSavedRoute } from './history-routes.ts'

/**
 * The history and the saved queries, on the query function's app. Both read and write records in
 * the object store only: listing them never starts the query engine (DuckDB locally).
 */
export function addHistoryRoutes(app: CsvlakeApp, deps: Pick<Services, 'store' | 'now'>): void {
  const records = new QueryRecords(deps.store)
  const saved = new SavedQueries({ store: deps.store, now: deps.now })

  app.openapi(historyRoute, async (c) => {
    const { limit, nextToken } = c.req.valid('query')
    const after = decodeAfterToken(nextToken, 'q')
    const page = await records.list(c.var.tenant, { limit: limit ?? 50, ...(after ? { after } : {}) })
    return c.json({ queries: page.records.map(summary), ...(page.after ? { nextToken: encodeAfterToken(page.after) } : {}) }, 200)
  })

  app.openapi(listSavedRoute, async (c) => {
    const { limit, nextToken } = c.req.valid('query')
    const after = decodeAfterToken(nextToken, 's')
    const page = await saved.list(c.var.tenant, { limit: limit ?? 50, ...(after ? { after } : {}) })
    return c.json({ savedQueries: page.savedQueries, ...(page.after ? { nextToken: encodeAfterToken(page.after) } : {}) }, 200)
  })
  app.openapi(createSavedRoute, async (c) => c.json(await saved.create(c.var.tenant, c.req.valid('json')), 201))
  app.openapi(getSavedRoute, async (c) => c.json(await saved.get(c.var.tenant, c.req.valid('param').savedQueryId), 200))
  app.openapi(updateSavedRoute, async (c) => c.json(await saved.update(c.var.tenant, c.req.valid('param').savedQueryId, c.req.valid('json')), 200))
  app.openapi(deleteSavedRoute, async (c) => {
    const { savedQueryId } = c.req.valid('param')
    await saved.remove(c.var.tenant, savedQueryId)
    return c.json({ deleted: savedQueryId }, 200)
  })
}

/** A history entry: what the list shows of a query, its SQL cut to HISTORY_SQL_CHARS. */
function summary(record: QueryRecord) {
  const long = record.sql.length > HISTORY_SQL_CHARS
  return {
    queryId: record.queryId,
    sql: long ? record.sql.slice(0, HISTORY_SQL_CHARS) : record.sql,
    ...(long ? { sqlTruncated: true } : {}),
    status: record.status,
    submittedAt: record.submittedAt,
    ...(record.endedAt ? { endedAt: record.endedAt, elapsedMs: Date.parse(record.endedAt) - Date.parse(record.submittedAt) } : {}),
    ...(record.rowCount !== undefined ? { rowCount: record.rowCount } : {}),
    ...(record.reusedFrom ? { reusedFrom: record.reusedFrom } : {}),
    ...(record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
  }
}
