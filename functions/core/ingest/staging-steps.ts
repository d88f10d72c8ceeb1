import iconv from 'iconv-lite'
import { Transform } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type { Dialect } from './dialect.ts'
import { canEven, evenLineEndings } from './even-line-endings.ts'
import { taskError } from './execution-input.ts'
import type { InflateLimit } from './inflate-limit.ts'

/** An upload that staging would copy byte for byte: plain UTF-8, no BOM, not compressed. */
export function isPlainUtf8(dialect: Dialect): boolean {
  const encoding = dialect.encoding.toLowerCase()
  return dialect.compression === 'none' && !dialect.bom && (encoding === 'utf-8' || encoding === 'utf8')
}

/**
 * The streaming steps that turn an upload into the staged copy, plain UTF-8 CSV: gzip inflated
 * (counted after the transcoding against `limit`: what is bounded is what staging writes), the
 * encoding transcoded, a BOM dropped and, with `even`, every line break outside quotes written as
 * \n (line numbers do not move). Throws BAD_ENCODING for an encoding iconv does not know. Used by
 * local mode's StageFile and by the prepare image's `ingest stage`, so both stage alike.
 */
export function stagingSteps(dialect: Dialect, opts: { limit?: InflateLimit; even?: boolean } = {}): Transform[] {
  const encoding = dialect.encoding.toLowerCase()
  if (!iconv.encodingExists(encoding)) {
    throw taskError('Csvlake.BadEncoding', { code: 'BAD_ENCODING', message: `Unknown encoding ${dialect.encoding}` })
  }
  const steps: Transform[] = []
  if (dialect.compression === 'gzip') steps.push(createGunzip())
  // UTF-8 without a BOM is passed on as it is (as local mode links it): DuckDB names bad bytes' lines.
  if (!((encoding === 'utf-8' || encoding === 'utf8') && !dialect.bom)) {
    steps.push(iconv.decodeStream(encoding, { stripBOM: true }) as unknown as Transform, iconv.encodeStream('utf-8') as unknown as Transform)
  }
  if (opts.limit) steps.push(stopPast(opts.limit))
  if (opts.even && canEven(dialect)) steps.push(evenLineEndings(dialect))
  return steps
}

/** Passes bytes on until more than the limit have gone by, then fails the pipeline. */
function stopPast(limit: InflateLimit): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength
      if (seen > limit.bytes) done(taskError('Csvlake.DecompressedTooLarge', { code: 'DECOMPRESSED_TOO_LARGE', message: limit.message }))
      else done(null, chunk)
    },
  })
}
