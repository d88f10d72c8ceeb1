import { pipeline } from 'node:stream'
import { AppError } from '../core/errors.ts'
import { createApp } from '../core/http/openapi.ts'
import { downloadLinks } from '../core/http/download-links.ts'
import { pullStream } from '../core/http/web-stream.ts'
import { newId } from '../core/ids.ts'
import type { QueryEngine, QueryRecord } from '../core/query/query-service.ts'
import { decodePageToken, encodePageToken, MAX_PAGE_ROWS, type PageStart } from '../core/query/page-token.ts'
import { spreadsheetSafeCsv } from '../core/query/spreadsheet-safe-csv.ts'
import type { Services } from '../core/services.ts'
import type { TenantId } from '../core/tenant.ts'
import { addHistoryRoutes } from './history-app.ts'
import { runRoute, getRoute, cancelRoute, exportRoute, downloadRoute } from './routes.ts'

export function createQueryApp(deps: Pick<Services, 'queries' | 'config' | 'log' | 'store' | 'now'>) {
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
    const answer = await present(engine, c.var.tenant, record, { offset: 0 }, body.maxResults)
    return c.json(answer, record.status === 'RUNNING' ? 202 : 200)
  })

  app.openapi(getRoute, async (c) => {
    const { queryId } = c.req.valid('param')
    const { nextToken, maxResults } = c.req.valid('query')
    const at = decodePageToken(nextToken)
    const record = await engine.get(c.var.tenant, queryId)
    return c.json(await present(engine, c.var.tenant, record, at, maxResults), 200)
  })

  app.openapi(cancelRoute, async (c) => {
    const { queryId } = c.req.valid('param')
    return c.json(await present(engine, c.var.tenant, await engine.cancel(c.var.tenant, queryId), { offset: 0 }, 0), 200)
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

  addHistoryRoutes(app, deps)
  return app
}

async function present(engine: QueryEngine, tenant: TenantId, record: QueryRecord, at: PageStart, maxResults?: number) {
  const { offset } = at
  const base = {
    queryId: record.queryId,
    status: record.status,
    sql: record.sql,
    submittedAt: record.submittedAt,
    ...(record.endedAt ? { endedAt: record.endedAt, stats: statsOf(record, record.endedAt) } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.reusedFrom ? { reusedFrom: record.reusedFrom } : {}),
  }
  if (record.status !== 'SUCCEEDED') return base
  const rowCount = record.rowCount ?? 0
  if (offset > rowCount) throw new AppError('BAD_REQUEST', `nextToken points past the end of the result (${rowCount} rows).`)
  const limit = maxResults ?? MAX_PAGE_ROWS
  const page = limit === 0 ? { rows: [], columns: record.columns ?? [] } : await engine.page(tenant, record.queryId, at, limit)
  // The engine says where the next page starts (a forward-only engine with its own token for it).
  const next = 'next' in page ? page.next : undefined
  return {
    ...base,
    columns: record.columns ?? page.columns,
    rows: page.rows,
    rowCount,
    offset,
    ...(limit > 0 && next && next.offset < rowCount ? { nextToken: encodePageToken(next) } : {}),
  }
}

/** How long it took, and what the engine reports (Athena: bytes scanned, which it bills, and engine time). */
function statsOf(record: QueryRecord, endedAt: string) {
  return {
    elapsedMs: Date.parse(endedAt) - Date.parse(record.submittedAt),
    ...(record.scannedBytes !== undefined ? { scannedBytes: record.scannedBytes } : {}),
    ...(record.engineMs !== undefined ? { engineMs: record.engineMs } : {}),
  }
}
