// The preview function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, named, z } from '../core/zod.ts'
import { defineRoute, errors, intParam, json } from '../core/http/openapi.ts'
import { FileId } from '../core/ids.ts'
import { Dialect } from '../core/ingest/dialect.ts'
import { FileFormat } from '../core/files/file-meta.ts'

const Preview = named(
  'Preview',
  z.object({
    fileId: FileId,
    name: z.string(),
    size: z.int(),
    format: doc(FileFormat, { description: 'csv: rows parsed from the head of the file; parquet: rows of its first row group, read with its footer only' }),
    rowCount: doc(z.optional(z.int()), { description: 'Parquet: the rows the whole file holds, from its footer' }),
    dialect: Dialect,
    columns: z.array(
      z.object({
        name: z.string(),
        type: doc(z.string(), { example: 'bigint', description: 'The Glue/Athena type the column loads as (for CSV, as inferred from the rows read)' }),
        parquetType: doc(z.optional(z.string()), { example: 'INT64 (TIMESTAMP, MICROS)', description: "Parquet: the column's type in the file's own words" }),
        refused: doc(z.optional(z.string()), { description: 'Parquet: why the load will refuse this column (a type Athena cannot read); its values are not shown' }),
      }),
    ),
    rows: doc(z.array(z.record(z.string(), z.nullable(z.string()))), {
      description: 'Rows as objects keyed by column name; an empty cell is null, as the table will load it',
    }),
    problems: z.array(z.object({ line: z.int(), message: z.string() })),
    truncated: doc(z.boolean(), { description: 'True when the file goes on past the head that was read' }),
    moreRows: doc(z.boolean(), {
      description: 'True when more rows follow the ones shown (past the limit, or past the head that was read); false only when these rows are the whole file',
    }),
    multilineFields: z.boolean(),
  }),
)

const booleanParam = z.pipe(
  z.enum(['true', 'false']),
  z.transform((v) => v === 'true'),
)

export const previewRoute = defineRoute({
  method: 'get',
  path: '/api/preview',
  summary: 'The first rows of an upload, parsed as ingest will parse them',
  description:
    'CSV: the rows of a bounded head of the file, with the detected dialect (which the query parameters override). Parquet: its schema with the ' +
    'type each column loads as, and the rows of its first row group, read through its footer (ranged reads; never the whole file); the ' +
    'dialect overrides do not apply (400).',
  request: {
    query: z.object({
      fileId: FileId,
      limit: z._default(intParam(1, 1000), 100),
      header: doc(z.optional(booleanParam), { description: 'Override: is the first row a header?' }),
      delimiter: z.optional(Dialect.shape.delimiter),
      quote: z.optional(z.string().check(z.length(1))),
      escape: z.optional(z.string().check(z.length(1))),
      encoding: z.optional(z.string().check(z.minLength(1), z.maxLength(40))),
    }),
  },
  responses: { 200: json(Preview, 'The head of the file as rows'), ...errors(400, 404) },
})

/** Every route of the preview function, in the order its app registers them (the document's order). */
export const routes = [previewRoute]
