// The tables function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, named, z } from '../core/zod.ts'
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

const ProfileValue = z.nullable(z.union([z.number(), z.string(), z.boolean()]))

const ColumnProfile = named(
  'ColumnProfile',
  z.object({
    name: z.string(),
    type: z.string(),
    rows: doc(z.int(), { description: 'Rows the profile covers' }),
    nulls: z.int(),
    distinct: doc(z.int(), { description: 'Distinct non-null values: exact up to 10,000 in a part, approximate (HyperLogLog) beyond, and an estimate over several parts; see distinctApprox' }),
    distinctApprox: doc(z.boolean(), { description: 'Whether distinct is approximate' }),
    min: doc(ProfileValue, { description: 'Smallest value: a number, an ISO date or timestamp, a boolean or text; null when the column has no values' }),
    max: ProfileValue,
    top: doc(z.optional(z.array(z.object({ value: z.string(), count: z.int() }))), {
      description: 'Text and booleans: the most frequent values, most frequent first (over several parts, counts are lower bounds)',
    }),
    histogram: doc(z.optional(z.array(z.object({ lower: z.number(), upper: z.number(), count: z.int() }))), {
      description: 'Numbers, dates and timestamps: counts per equal-width bin, lower <= v < upper (the last bin includes upper); dates and timestamps in milliseconds since 1970-01-01. Over several parts, re-binned assuming values spread evenly within a bin',
    }),
  }),
  { description: "A column's profile, computed from every row when its data was loaded" },
)

export const getRoute = defineRoute({
  method: 'get',
  path: '/api/tables/{name}',
  summary: 'A table, with the profile of each column: nulls, distinct values, min and max, top values or a histogram',
  request: { params: z.object({ name: TableName }) },
  responses: {
    200: json(
      named(
        'TableWithProfile',
        z.object({
          ...Table.shape,
          profile: z.array(ColumnProfile),
          partial: doc(z.boolean(), { description: 'Some of the table\'s data was loaded before profiles were kept: the profile covers profiledRows of rowCount rows' }),
          profiledRows: z.int(),
        }),
      ),
      'The table and its column profiles',
    ),
    ...errors(400, 404),
  },
})

export const deleteRoute = defineRoute({
  method: 'delete',
  path: '/api/tables/{name}',
  summary: "Drop a table: its data and its catalog entry (the uploads stay)",
  request: { params: z.object({ name: TableName }) },
  responses: { 200: json(z.object({ deleted: z.string() }), 'Dropped'), ...errors(400, 404) },
})

/** Every route of the tables function, in the order its app registers them (the document's order). */
export const routes = [listRoute, getRoute, deleteRoute, ...versionRoutes]
