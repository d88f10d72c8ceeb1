import type { Dialect } from './dialect.ts'

export type ScanDialect = Pick<Dialect, 'delimiter' | 'quote' | 'escape'>

export type ScannedRecord = {
  fields: string[]
  /** Offset of the record's first character in the text. */
  start: number
  /** Offset just past the record's line ending (or the end of the text). */
  end: number
  /** 1-based physical line where the record starts. */
  line: number
  /** False when the text ended before the record's line ending. */
  terminated: boolean
}

export type Scan = {
  records: ScannedRecord[]
  /** Set when the text ends inside a quoted field: where that record starts. */
  openQuote: { start: number; line: number } | null
}

/**
 * Splits text into records the way csv-parse does with `relax_quotes` and `skip_empty_lines`:
 * a quote opens a field only at its start, inside quotes delimiters and line breaks are data,
 * and empty lines are no records. Outside quotes \r\n, \n and \r each end a record, whatever
 * the dialect's line ending (files joined end to end mix them; the crawler evens them out the
 * same way). Stops after `maxRecords`. Used to sniff and to find where the head can be cut, so
 * it must agree with the parser on record boundaries.
 */
export function scanRecords(text: string, dialect: ScanDialect, maxRecords = Number.POSITIVE_INFINITY): Scan {
  const { delimiter, quote, escape } = dialect
  const records: ScannedRecord[] = []
  let i = 0
  let line = 1
  // Physical lines: \r\n, \r and \n each end one, whatever the dialect's record delimiter.
  const countBreak = (at: number) => {
    const ch = text[at]
    if (ch === '\r' || (ch === '\n' && text[at - 1] !== '\r')) line++
  }
  while (i < text.length && records.length < maxRecords) {
    const atBreak = breakLength(text, i)
    if (atBreak > 0) {
      countBreak(i)
      i += atBreak
      continue
    }
    const start = i
    const startLine = line
    const fields: string[] = []
    let field = ''
    let inQuotes = false
    let atFieldStart = true
    let terminated = false
    while (i < text.length) {
      const ch = text[i] as string
      if (inQuotes) {
        const next = text[i + 1]
        if (ch === escape && escape !== quote && (next === quote || next === escape)) {
          field += next
          i += 2
        } else if (ch === quote && next === quote && escape === quote) {
          field += quote
          i += 2
        } else if (ch === quote) {
          inQuotes = false
          i++
        } else {
          countBreak(i)
          field += ch
          i++
        }
      } else if (atFieldStart && ch === quote) {
        inQuotes = true
        atFieldStart = false
        i++
      } else if (ch === delimiter) {
        fields.push(field)
        field = ''
        atFieldStart = true
        i++
      } else if (ch === '\r' || ch === '\n') {
        countBreak(i)
        i += breakLength(text, i)
        terminated = true
        break
      } else {
        countBreak(i)
        field += ch
        atFieldStart = false
        i++
      }
    }
    if (inQuotes) return { records, openQuote: { start, line: startLine } }
    fields.push(field)
    records.push({ fields, start, end: i, line: startLine, terminated })
  }
  return { records, openQuote: null }
}

/** 2 at a \r\n, 1 at a lone \r or \n, else 0. */
function breakLength(text: string, at: number): number {
  const ch = text[at]
  if (ch === '\r') return text[at + 1] === '\n' ? 2 : 1
  return ch === '\n' ? 1 : 0
}

/** Every record delimiter the scanner and the preview's parser accept, longest first. */
export const RECORD_DELIMITERS = ['\r\n', '\n', '\r']

/**
 * The record delimiter: how the first record ends, outside quotes. Counting quotes (a doubled
 * quote toggles twice) is enough here, before the delimiter is known.
 */
export function detectLineEnding(text: string, quote = '"'): Dialect['lineEnding'] {
  let inQuotes = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === quote) inQuotes = !inQuotes
    else if (!inQuotes && ch === '\n') return '\n'
    else if (!inQuotes && ch === '\r') return text[i + 1] === '\n' ? '\r\n' : '\r'
  }
  // No break outside quotes (e.g. a stray quote): fall back to the first break anywhere.
  const first = /\r\n|\r|\n/.exec(text)
  return (first?.[0] as Dialect['lineEnding'] | undefined) ?? '\n'
}
