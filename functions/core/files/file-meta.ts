import { doc, named, z } from '../zod.ts'
import { Dialect } from '../ingest/dialect.ts'
import { FileId } from '../ids.ts'

/** What an upload holds: CSV text (or .csv.gz) or a Parquet file. */
export const FileFormat = z.enum(['csv', 'parquet'])
export type FileFormat = z.infer<typeof FileFormat>

export const FileMeta = named(
  'File',
  z.object({
    fileId: FileId,
    name: doc(z.string(), { example: 'City People.csv' }),
    size: doc(z.int(), { description: 'Bytes as uploaded (compressed, for .csv.gz)' }),
    sha256: doc(z.string(), { example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }),
    contentType: z.string(),
    compression: z.enum(['none', 'gzip']),
    format: doc(FileFormat, {
      description: 'What the file holds, from its bytes (Parquet starts and ends with PAR1), whatever its name. For parquet, `dialect` carries only its column names',
    }),
    uploadedAt: doc(z.string(), { example: '2026-11-27T08:00:00.000Z' }),
    dialect: Dialect,
  }),
)

export type FileMeta = z.infer<typeof FileMeta>
