import type { Dialect } from './dialect.ts'

export type ScanDialect = Pick<Dialect, 'delimiter' | 'quote' | 'escape' | 'lineEnding'>

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
 * and empty lines are no records. Stops after `maxRecords`. Used to sniff and to find where
 * the head can be cut, so it must agree with the parser on record boundaries.
 */
export function scanRecords(text: string, dialect: ScanDialect, maxRecords = Number.POSITIVE_INFINITY): Scan {
  const { delimiter, quote, escape, lineEnding } = dialect
  const records: ScannedRecord[] = []
  let i = 0
  let line = 1
  // Physical lines: \r\n, \r and \n each end one, whatever the dialect's record delimiter.
  const countBreak = (at: number) => {
    const ch = text[at]
    if (ch === '\r' || (ch === '\n' && text[at - 1] !== '\r')) line++
  }
  while (i < text.length && records.length < maxRecords) {
    if (text.startsWith(lineEnding, i)) {
      for (let k = 0; k < lineEnding.length; k++) countBreak(i + k)
      i += lineEnding.length
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
      } else if (text.startsWith(lineEnding, i)) {
        for (let k = 0; k < lineEnding.length; k++) countBreak(i + k)
        i += lineEnding.length
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
