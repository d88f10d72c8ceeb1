import { notFound } from '../core/errors.ts'
import { createApp } from '../core/http/openapi.ts'
import { keys } from '../core/keys.ts'
import type { Services } from '../core/services.ts'
import { listRoute, deleteRoute } from './routes.ts'
import { addVersionRoutes } from './version-app.ts'

export function createTablesApp(deps: Pick<Services, 'catalog' | 'store' | 'usage' | 'log' | 'now' | 'config'>) {
  const app = createApp(deps.log)
  app.openapi(listRoute, async (c) => {
    const tables = await deps.catalog.list(c.var.tenant)
    return c.json({ tables: tables.map(({ tenant: _tenant, parts: _parts, versions: _versions, keptParts: _kept, ...t }) => t) }, 200)
  })
  app.openapi(deleteRoute, async (c) => {
    const { name } = c.req.valid('param')
    // The entry goes first: from then on no query sees the table, and its files can go.
    if (!(await deps.catalog.delete(c.var.tenant, name))) throw notFound(`The table ${name}`)
    await deps.store.deletePrefix(keys.lakeTable(c.var.tenant, name))
    await deps.usage.tableChanged(c.var.tenant, name)
    return c.json({ deleted: name }, 200)
  })
  addVersionRoutes(app, { ...deps, retention: deps.config.tableVersions })
  return app
}
