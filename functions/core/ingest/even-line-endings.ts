import { Transform } from 'node:stream'
import type { ScanDialect } from './sniff-scan.ts'

const CR = 0x0d
const LF = 0x0a

/** Where the scan is: outside quotes (at a field's start or inside it), or inside quotes. */
type State = 'fieldStart' | 'field' | 'quoted' | 'quotedAfterQuote' | 'quotedAfterEscape'

export type EvenLineEndings = Transform & {
  /** After the stream ended: whether the text had more than one kind of line break outside quotes. */
  mixed(): boolean
}

/**
 * Rewrites every line break outside quotes (\r\n, \n or \r) as \n, reading quotes as the preview
 * does (scanRecords): a quote opens a field only at its start, a doubled quote or an escaped one
 * stays inside. Breaks inside quoted fields are data and stay as they are. Each break stays one
 * line, so line numbers do not move. Works on UTF-8 bytes; the delimiter, quote and escape must be
 * ASCII (see `canEven`).
 */
export function evenLineEndings(dialect: ScanDialect): EvenLineEndings {
  const delimiter = dialect.delimiter.charCodeAt(0)
  const quote = dialect.quote.charCodeAt(0)
  const escape = dialect.escape.charCodeAt(0)
  let state: State = 'fieldStart'
  let pendingCr = false
  const kinds = new Set<'lf' | 'crlf' | 'cr'>()

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = Buffer.allocUnsafe(chunk.byteLength + 1)
      let n = 0
      for (let i = 0; i < chunk.byteLength; i++) {
        const b = chunk[i]!
        if (pendingCr) {
          pendingCr = false
          out[n++] = LF
          state = 'fieldStart'
          if (b === LF) {
            kinds.add('crlf')
            continue
          }
          kinds.add('cr')
        }
        if (state === 'quotedAfterQuote') {
          // A doubled quote is one quote of data; any other byte follows a closing quote.
          if (b === quote) {
            out[n++] = b
            state = 'quoted'
            continue
          }
          state = 'field'
        } else if (state === 'quotedAfterEscape') {
          out[n++] = b
          state = 'quoted'
          continue
        }
        if (state === 'quoted') {
          out[n++] = b
          if (b === escape && escape !== quote) state = 'quotedAfterEscape'
          else if (b === quote) state = escape === quote ? 'quotedAfterQuote' : 'field'
          continue
        }
        if (b === CR) {
          pendingCr = true
          continue
        }
        if (b === LF) {
          kinds.add('lf')
          out[n++] = LF
          state = 'fieldStart'
          continue
        }
        out[n++] = b
        if (b === delimiter) state = 'fieldStart'
        else if (b === quote && state === 'fieldStart') state = 'quoted'
        else state = 'field'
      }
      done(null, out.subarray(0, n))
    },
    flush(done) {
      if (pendingCr) kinds.add('cr')
      done(null, pendingCr ? Buffer.from([LF]) : null)
    },
  })
  return Object.assign(stream, { mixed: () => kinds.size > 1 })
}

/** The byte scan needs one-byte quote and escape characters. */
export function canEven(dialect: ScanDialect): boolean {
  return [dialect.delimiter, dialect.quote, dialect.escape].every((c) => c.length === 1 && c.charCodeAt(0) < 0x80)
}
