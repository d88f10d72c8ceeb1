// The tables function's version routes as data (see routes.ts): a table's history of loads and
// rollbacks, and the rollback itself.
import { doc, named, z } from '../core/zod.ts'
import { defineRoute, errors, json } from '../core/http/openapi.ts'
import { TableName } from '../core/ingest/table-name.ts'

const Column = z.object({ name: z.string(), type: z.string() })

const TableVersion = named(
  'TableVersion',
  z.object({
    version: z.int(),
    at: doc(z.string(), { description: 'When this version became current (ISO 8601, UTC)' }),
    operation: z.enum(['create', 'append', 'replace', 'rollback']),
    fileId: z.optional(z.string()),
    fileName: z.optional(z.string()),
    jobId: z.optional(z.string()),
    rolledBackTo: z.optional(doc(z.int(), { description: 'A rollback: the version it made current again' })),
    rowsAdded: doc(z.int(), { description: 'Rows this version reads that the version before did not' }),
    rowsRemoved: doc(z.int(), { description: 'Rows the version before read that this one does not' }),
    rowCount: z.int(),
    columns: z.array(Column),
    current: z.boolean(),
  }),
)

const History = named(
  'TableHistory',
  z.object({
    table: z.string(),
    current: z.int(),
    versions: doc(z.array(TableVersion), { description: 'The kept versions, newest first' }),
    retention: doc(z.object({ days: z.int(), max: z.int() }), {
      description: 'Earlier versions are kept this many days after they stopped being current (CSVLAKE_TABLE_VERSION_DAYS), and at most max of them (CSVLAKE_TABLE_VERSIONS_MAX)',
    }),
  }),
)

const params = z.object({ name: TableName })

export const versionsRoute = defineRoute({
  method: 'get',
  path: '/api/tables/{name}/versions',
  summary: "A table's versions: every load and rollback, newest first",
  description:
    'Each load (create, append, replace) and each rollback makes a version, with its file, rows added and removed, and schema. ' +
    'A query reads an earlier one with `FROM orders FOR VERSION AS OF 3` (or `FOR TIMESTAMP AS OF \'2026-12-01 10:00:00\'`, UTC).',
  request: { params },
  responses: { 200: json(History, 'Versions'), ...errors(400, 404) },
})

export const rollbackRoute = defineRoute({
  method: 'post',
  path: '/api/tables/{name}/rollback',
  summary: 'Make an earlier version current again (as a new version; nothing is deleted)',
  request: {
    params,
    body: { content: { 'application/json': { schema: z.strictObject({ version: doc(z.int().check(z.minimum(1), z.maximum(2 ** 31)), { description: 'The kept version to make current' }) }) } }, required: true },
  },
  responses: { 200: json(History, 'The history, the rollback its newest version'), ...errors(400, 404, 409, 415) },
})

export const versionRoutes = [versionsRoute, rollbackRoute]
