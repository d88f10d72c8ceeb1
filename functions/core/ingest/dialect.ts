import { doc, named, z } from '../zod.ts'

/**
 * How a CSV file is written. Found once from the head of the upload, kept with it, shown by
 * the preview, and used as is (or as the user overrode it) by the crawler: one dialect from
 * preview to table.
 */
export const Dialect = named(
  'Dialect',
  z.object({
    delimiter: z.enum([',', ';', '\t', '|']),
    quote: z.string().check(z.length(1)),
    escape: z.string().check(z.length(1)),
    header: z.boolean(),
    encoding: doc(z.string().check(z.minLength(1)), { description: 'e.g. utf-8, utf-16le, windows-1252' }),
    bom: z.boolean(),
    compression: z.enum(['none', 'gzip']),
    lineEnding: z.enum(['\n', '\r\n', '\r']),
    columnNames: doc(z.array(z.string()), {
      description: 'Column names as the table will have them: blank names filled, duplicates numbered',
    }),
  }),
)

export type Dialect = z.infer<typeof Dialect>

/** What a submit may override; the rest comes from the upload's detected dialect. */
export const DialectOverride = named(
  'DialectOverride',
  z.partial(z.pick(Dialect, { delimiter: true, quote: true, escape: true, header: true, encoding: true })),
)
export type DialectOverride = z.infer<typeof DialectOverride>
