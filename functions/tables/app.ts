import { named, z } from '../core/zod.ts'
import { notFound } from '../core/errors.ts'
import { createApp, defineRoute, errors, json } from '../core/http/openapi.ts'
import { TableName } from '../core/ingest/table-name.ts'
import { keys } from '../core/keys.ts'
import type { Services } from '../core/services.ts'

const Table = named(
  'Table',
  z.object({
    name: z.string(),
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
    rowCount: z.int(),
    location: z.string(),
    format: z.string(),
    sources: z.array(
      z.object({ fileId: z.string(), fileName: z.string(), jobId: z.string(), mode: z.string(), rows: z.int(), at: z.string() }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
)

const listRoute = defineRoute({
  method: 'get',
  path: '/api/tables',
  summary: 'Your tables, with columns, row counts and the files they came from',
  responses: { 200: json(z.object({ tables: z.array(Table) }), 'Tables') },
})

const deleteRoute = defineRoute({
  method: 'delete',
  path: '/api/tables/{name}',
  summary: "Drop a table: its data and its catalog entry (the uploads stay)",
  request: { params: z.object({ name: TableName }) },
  responses: { 200: json(z.object({ deleted: z.string() }), 'Dropped'), ...errors(400, 404) },
})

export function createTablesApp(deps: Pick<Services, 'catalog' | 'store' | 'usage' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(listRoute, async (c) => {
    const tables = await deps.catalog.list(c.var.tenant)
    return c.json({ tables: tables.map(({ tenant: _tenant, parts: _parts, ...t }) => t) }, 200)
  })
  app.openapi(deleteRoute, async (c) => {
    const { name } = c.req.valid('param')
    // The entry goes first: from then on no query sees the table, and its files can go.
    if (!(await deps.catalog.delete(c.var.tenant, name))) throw notFound(`The table ${name}`)
    await deps.store.deletePrefix(keys.lakeTable(c.var.tenant, name))
    await deps.usage.tableChanged(c.var.tenant, name)
    return c.json({ deleted: name }, 200)
  })
  return app
}
