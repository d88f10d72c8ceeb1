import { createApp } from '../core/http/openapi.ts'
import { startIngest } from '../core/ingest/start-ingest.ts'
import type { Services } from '../core/services.ts'
import { submitRoute } from './routes.ts'

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
