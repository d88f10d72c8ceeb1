import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { canEven, evenLineEndings } from '../../ingest/even-line-endings.ts'
import type { ScanDialect } from '../../ingest/sniff-scan.ts'

/**
 * Evens out the line endings of the file at `path` when it mixes them (rewritten beside it, then
 * renamed over it: a hard link to the upload is replaced, never written through). Answers
 * whether it did; a file with one kind of line break is left as it is.
 */
export async function evenFileLineEndings(path: string, dialect: ScanDialect): Promise<boolean> {
  if (!canEven(dialect)) return false
  const temp = `${path}.even`
  const even = evenLineEndings(dialect)
  try {
    await pipeline(createReadStream(path), even, createWriteStream(temp))
    if (!even.mixed()) return false
    await rename(temp, path)
    return true
  } finally {
    await rm(temp, { force: true })
  }
}
