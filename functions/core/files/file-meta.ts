import { doc, named, z } from '../zod.ts'
import { Dialect } from '../ingest/dialect.ts'
import { FileId } from '../ids.ts'

export const FileMeta = named(
  'File',
  z.object({
    fileId: FileId,
    name: doc(z.string(), { example: 'City People.csv' }),
    size: doc(z.int(), { description: 'Bytes as uploaded (compressed, for .csv.gz)' }),
    sha256: doc(z.string(), { example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }),
    contentType: z.string(),
    compression: z.enum(['none', 'gzip']),
    uploadedAt: doc(z.string(), { example: '2026-11-27T08:00:00.000Z' }),
    dialect: Dialect,
  }),
)

export type FileMeta = z.infer<typeof FileMeta>
