import { doc, z } from '../zod.ts'
import { parse } from 'csv-parse/sync'
import type { Dialect } from './dialect.ts'
import { decodeHead } from './sniff-decode.ts'
import { PreviewType, columnType } from './sniff-infer.ts'
import { RECORD_DELIMITERS, scanRecords } from './sniff-scan.ts'

// No OpenAPI component ids here: routes embed these in their own named bodies.
export const PreviewProblem = z.object({ line: z.int(), message: z.string() })
export type PreviewProblem = z.infer<typeof PreviewProblem>

export const Preview = z.object({
  columns: z.array(z.object({ name: z.string(), type: PreviewType })),
  rows: doc(z.array(z.record(z.string(), z.nullable(z.string()))), { description: 'Empty cells are null' }),
  problems: doc(z.array(PreviewProblem), { description: 'At most 100, in file order' }),
  truncated: doc(z.boolean(), { description: 'The file goes on past the head that was read' }),
  moreRows: doc(z.boolean(), { description: 'More rows follow the ones shown: the file is not all here' }),
  multilineFields: doc(z.boolean(), { description: 'Some field holds a line break' }),
})
export type Preview = z.infer<typeof Preview>

export const MAX_PROBLEMS = 100
export const MAX_PREVIEW_ROWS = 1000
/** A quoted field longer than this at the cut of a truncated head is a missing quote, not a big field. */
const MAX_OPEN_FIELD_CHARS = 128_000

type Parsed = { fields: string[]; line: number }

/**
 * The first `limit` rows of the head, parsed as the crawler will parse the file, with column
 * types inferred from every row in the head. Pure: the caller reads (and gunzips) the head.
 */
export function previewRows(head: Uint8Array, dialect: Dialect, limit: number, opts: { truncated: boolean }): Preview {
  const problems: PreviewProblem[] = []
  const { text, unterminated } = completeRecords(decodeHead(head, dialect.encoding, opts.truncated), dialect, opts.truncated)
  const records = parseRecords(text, dialect, problems)
  if (unterminated !== null) {
    problems.push({
      line: unterminated,
      message:
        `Unterminated quoted field starting on line ${unterminated}; the rest of the file reads as one field. ` +
        'Close the quote in the file, or choose another quote character.',
    })
  }
  const names = dialect.columnNames
  const data = dialect.header ? records.slice(1) : records
  const expected = dialect.header ? 'the header has' : 'most rows have'
  for (const record of data) {
    if (record.fields.length !== names.length) {
      problems.push({
        line: record.line,
        message: `Line ${record.line} has ${record.fields.length} fields; ${expected} ${names.length}`,
      })
    }
  }
  problems.sort((a, b) => a.line - b.line)

  const cells = data.map((record) => names.map((_, i) => nullIfEmpty(record.fields[i])))
  const shown = Math.min(Math.max(Math.trunc(limit), 1), MAX_PREVIEW_ROWS)
  return {
    columns: names.map((name, i) => ({ name, type: columnType(cells.map((row) => row[i])) })),
    // fromEntries defines own properties, so a column named __proto__ is just a column.
    rows: cells.slice(0, shown).map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? null]))),
    problems: problems.slice(0, MAX_PROBLEMS),
    truncated: opts.truncated,
    // Past the rows shown there are more in the head, or the file goes on past the head.
    moreRows: cells.length > shown || opts.truncated,
    multilineFields: records.some((record) => record.fields.some((field) => /[\r\n]/.test(field))),
  }
}

function nullIfEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value
}

/**
 * The text up to the end of its last complete record. A truncated head's last record may be
 * cut anywhere, even inside quotes, so it is dropped quietly; a quote still open at the end of
 * a whole file (or one spanning a huge part of the head) is reported by its line.
 */
function completeRecords(
  text: string,
  dialect: Dialect,
  truncated: boolean,
): { text: string; unterminated: number | null } {
  const { records, openQuote } = scanRecords(text, dialect)
  if (openQuote) {
    const explained = truncated && text.length - openQuote.start <= MAX_OPEN_FIELD_CHARS
    return { text: text.slice(0, openQuote.start), unterminated: explained ? null : openQuote.line }
  }
  const last = records.at(-1)
  if (truncated && last && !last.terminated) return { text: text.slice(0, last.start), unterminated: null }
  return { text, unterminated: null }
}

function parseRecords(text: string, dialect: Dialect, problems: PreviewProblem[]): Parsed[] {
  const bytes = Buffer.from(text, 'utf8')
  const lines = lineCounter(bytes)
  const parsed: Parsed[] = []
  let previousEnd = 0
  try {
    parse(bytes, {
      delimiter: dialect.delimiter,
      quote: dialect.quote,
      escape: dialect.escape,
      record_delimiter: RECORD_DELIMITERS,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // csv-parse counts a CRLF inside quotes as two lines, so the start line is found from
      // where the previous record ended, skipping the empty lines between them.
      on_record: (record: string[], context) => {
        let start = previousEnd
        while (bytes[start] === 0x0d || bytes[start] === 0x0a) start++
        parsed.push({ fields: record, line: lines(start) })
        previousEnd = context.bytes
        return null
      },
    })
  } catch (err) {
    // Not expected once the text ends on a record boundary; keep the rows before the error.
    let start = previousEnd
    while (bytes[start] === 0x0d || bytes[start] === 0x0a) start++
    const line = lines(start)
    const reason = err instanceof Error ? err.message : String(err)
    problems.push({ line, message: `Line ${line} could not be read, nor anything after it: ${reason}` })
  }
  return parsed
}

/** 1-based line of a byte offset; offsets must not decrease between calls. */
function lineCounter(bytes: Uint8Array): (offset: number) => number {
  let at = 0
  let line = 1
  return (offset) => {
    for (; at < offset; at++) {
      const b = bytes[at]
      if (b === 0x0d || (b === 0x0a && bytes[at - 1] !== 0x0d)) line++
    }
    return line
  }
}
