import { z } from '../core/zod.ts'
import { createApp } from '../core/http/openapi.ts'
import { decodeAfterToken, encodeAfterToken } from '../core/ids.ts'
import type { JobRecord } from '../core/ports/workflow.ts'
import type { Services } from '../core/services.ts'
import { Job, jobRoute, listRoute } from './routes.ts'

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
    ...(record.consoleUrl ? { consoleUrl: record.consoleUrl } : {}),
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
