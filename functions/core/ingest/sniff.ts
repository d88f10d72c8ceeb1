import { AppError } from '../errors.ts'
import type { Dialect, DialectOverride } from './dialect.ts'
import { decodeHead, detectEncoding, hasBom } from './sniff-decode.ts'
import { columnNamesFor, commonFieldCount, looksLikeHeader } from './sniff-header.ts'
import { type Preview, previewRows } from './sniff-preview.ts'
import { type ScanDialect, detectLineEnding, scanRecords } from './sniff-scan.ts'

export { Preview, PreviewProblem, previewRows, MAX_PREVIEW_ROWS } from './sniff-preview.ts'
export { PreviewType } from './sniff-infer.ts'

/** Records looked at to choose the delimiter and the header. */
const SAMPLE_RECORDS = 50
/** Candidates in order of preference: on a tie the earlier one wins. */
const DELIMITERS: Dialect['delimiter'][] = [',', ';', '\t', '|']
/** A \" inside a quoted field that does not end it: the file escapes quotes with a backslash. */
const BACKSLASH_ESCAPE = /"[^"\r\n]*\\"(?![,;\t|\r\n]|$)/m
const ESCAPE_SAMPLE_CHARS = 64 * 1024

export type SniffOptions = { truncated: boolean; compression: 'none' | 'gzip' }

/**
 * How the file is written, found from its head (already gunzipped; `compression` is only
 * recorded). `truncated` says the file goes on past the head, so its last record may be cut.
 */
export function sniffDialect(head: Uint8Array, opts: SniffOptions): Dialect {
  const { encoding, bom } = detectEncoding(head, opts.truncated)
  const text = decodeHead(head, encoding, opts.truncated)
  const quote = '"'
  const lineEnding = detectLineEnding(text, quote)
  const escape = BACKSLASH_ESCAPE.test(text.slice(0, ESCAPE_SAMPLE_CHARS)) ? '\\' : quote
  const delimiter = detectDelimiter(text, { quote, escape }, opts.truncated)
  const rows = sampleRows(text, { delimiter, quote, escape }, opts.truncated)
  const header = looksLikeHeader(rows)
  const columnNames = columnNamesFor(rows, header)
  return { delimiter, quote, escape, header, encoding, bom, compression: opts.compression, lineEnding, columnNames }
}

/**
 * The dialect with a user's choices applied, and what follows from them recomputed from the
 * head: the line ending and BOM (encoding, quote), column names (always), and the header
 * guess when the user changed how cells split but did not say whether there is a header.
 * An escape equal to the old quote (doubled quotes) follows a new quote.
 */
export function withOverride(
  head: Uint8Array,
  dialect: Dialect,
  override: DialectOverride,
  opts: { truncated: boolean },
): Dialect {
  const encoding = override.encoding ?? dialect.encoding
  const quote = override.quote ?? dialect.quote
  const escape = override.escape ?? (dialect.escape === dialect.quote ? quote : dialect.escape)
  const delimiter = override.delimiter ?? dialect.delimiter
  if (quote === delimiter || escape === delimiter) {
    throw new AppError('BAD_REQUEST', 'The quote and escape characters must differ from the delimiter.')
  }
  const text = decodeHead(head, encoding, opts.truncated)
  const lineEnding = detectLineEnding(text, quote)
  const rows = sampleRows(text, { delimiter, quote, escape }, opts.truncated)
  const splitChanged =
    encoding !== dialect.encoding || quote !== dialect.quote || escape !== dialect.escape || delimiter !== dialect.delimiter
  const header = override.header ?? (splitChanged ? looksLikeHeader(rows) : dialect.header)
  const bom = hasBom(head, encoding)
  return { ...dialect, delimiter, quote, escape, header, encoding, bom, lineEnding, columnNames: columnNamesFor(rows, header) }
}

/** Sniff (then apply the user's override, if any) and preview in one go. */
export function sniffAndPreview(
  head: Uint8Array,
  opts: SniffOptions & { limit: number; override?: DialectOverride },
): { dialect: Dialect } & Preview {
  const sniffed = sniffDialect(head, opts)
  const dialect = opts.override ? withOverride(head, sniffed, opts.override, opts) : sniffed
  return { dialect, ...previewRows(head, dialect, opts.limit, opts) }
}

/**
 * The delimiter that splits the sample into the most consistent number of fields (more than
 * one). Quote-aware: a delimiter inside a quoted field does not count. None fits: ','.
 */
function detectDelimiter(text: string, rest: Omit<ScanDialect, 'delimiter'>, truncated: boolean): Dialect['delimiter'] {
  let best: Dialect['delimiter'] = ','
  let bestScore = 0
  for (const delimiter of DELIMITERS) {
    const rows = sampleRows(text, { ...rest, delimiter }, truncated)
    const count = commonFieldCount(rows)
    if (count <= 1) continue
    const score = rows.filter((row) => row.length === count).length / rows.length
    if (score > bestScore) [best, bestScore] = [delimiter, score]
  }
  return best
}

/** The fields of the first records; a truncated head's cut last record is left out. */
function sampleRows(text: string, dialect: ScanDialect, truncated: boolean): string[][] {
  const { records } = scanRecords(text, dialect, SAMPLE_RECORDS + 1)
  const last = records.at(-1)
  const complete = truncated && records.length > 1 && last && !last.terminated ? records.slice(0, -1) : records
  return complete.slice(0, SAMPLE_RECORDS).map((record) => record.fields)
}
