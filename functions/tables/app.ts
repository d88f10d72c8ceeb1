import { notFound } from '../core/errors.ts'
import { createApp } from '../core/http/openapi.ts'
import { keys } from '../core/keys.ts'
import type { Services } from '../core/services.ts'
import { readTableProfile } from '../core/ingest/table-profile.ts'
import type { TableEntry } from '../core/ports/catalog.ts'
import { listRoute, getRoute, deleteRoute } from './routes.ts'
import { addVersionRoutes } from './version-app.ts'

export function createTablesApp(deps: Pick<Services, 'catalog' | 'store' | 'usage' | 'log' | 'now' | 'config'>) {
  const app = createApp(deps.log)
  app.openapi(listRoute, async (c) => {
    const tables = await deps.catalog.list(c.var.tenant)
    return c.json({ tables: tables.map(tableOf) }, 200)
  })
  app.openapi(getRoute, async (c) => {
    const { name } = c.req.valid('param')
    const entry = await deps.catalog.get(c.var.tenant, name)
    if (!entry) throw notFound(`The table ${name}`)
    // The current parts only: the profile describes what a query reads now.
    return c.json({ ...tableOf(entry), ...(await readTableProfile(deps.store, entry.parts)) }, 200)
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

/** A table as the API lists it: without the tenant (the caller's own), its parts and its version records (see /versions). */
function tableOf({ tenant: _tenant, parts: _parts, versions: _versions, keptParts: _kept, ...table }: TableEntry) {
  return table
}
