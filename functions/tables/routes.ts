// The tables function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { named, z } from '../core/zod.ts'
import { defineRoute, errors, json } from '../core/http/openapi.ts'
import { TableName } from '../core/ingest/table-name.ts'
import { versionRoutes } from './version-routes.ts'

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

export const listRoute = defineRoute({
  method: 'get',
  path: '/api/tables',
  summary: 'Your tables, with columns, row counts and the files they came from',
  responses: { 200: json(z.object({ tables: z.array(Table) }), 'Tables') },
})

export const deleteRoute = defineRoute({
  method: 'delete',
  path: '/api/tables/{name}',
  summary: "Drop a table: its data and its catalog entry (the uploads stay)",
  request: { params: z.object({ name: TableName }) },
  responses: { 200: json(z.object({ deleted: z.string() }), 'Dropped'), ...errors(400, 404) },
})

/** Every route of the tables function, in the order its app registers them (the document's order). */
export const routes = [listRoute, deleteRoute, ...versionRoutes]
