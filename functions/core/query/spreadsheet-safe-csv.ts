import { Transform, type TransformCallback } from 'node:stream'

/**
 * A CSV export made safe to open in a spreadsheet (CSV injection): a text cell that starts with
 * = + - @, a tab or a carriage return is prefixed with a single quote, so Excel, LibreOffice and
 * Google Sheets show it as text instead of running it as a formula (OWASP's guidance). Cells of
 * number columns are left as they are (-5 stays a number: a number cannot call anything); the
 * header row is all text (a column may be named =cmd). Everything else passes byte for byte:
 * quoting, NULL (empty) against '' (""), line breaks inside quoted cells.
 *
 * It is a streaming transform over the CSV csvlake writes (comma-separated, '"' quoting with ""
 * escapes, one '\n' after each row), working on bytes: every character it looks for is ASCII,
 * and no byte of a multi-byte UTF-8 character is, so no character is ever split or decoded.
 */
export function spreadsheetSafeCsv(columns: readonly { type: string }[]): Transform {
  const numeric = columns.map((c) => isNumberType(c.type))
  let state: number = State.FieldStart
  let row = 0
  let field = 0
  const checked = () => row === 0 || !numeric[field]
  return new Transform({
    transform(data: Buffer | string, _encoding: BufferEncoding, done: TransformCallback) {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data
      const parts: Buffer[] = []
      let from = 0
      const prefixAt = (i: number) => {
        parts.push(chunk.subarray(from, i), QUOTE_MARK)
        from = i
      }
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!
        switch (state) {
          case State.FieldStart:
            if (b === DQUOTE) state = State.QuotedStart
            else if (b === COMMA) field++
            else if (b === LF) (row++, (field = 0))
            else {
              if (TRIGGERS.has(b) && checked()) prefixAt(i)
              state = State.Unquoted
            }
            break
          case State.Unquoted:
            if (b === COMMA) (field++, (state = State.FieldStart))
            else if (b === LF) (row++, (field = 0), (state = State.FieldStart))
            break
          case State.QuotedStart:
            if (b === DQUOTE) state = State.QuoteInQuoted
            else {
              if (TRIGGERS.has(b) && checked()) prefixAt(i)
              state = State.Quoted
            }
            break
          case State.Quoted:
            if (b === DQUOTE) state = State.QuoteInQuoted
            break
          case State.QuoteInQuoted:
            // "" is a quote inside the cell; anything else ends it.
            if (b === DQUOTE) state = State.Quoted
            else if (b === COMMA) (field++, (state = State.FieldStart))
            else if (b === LF) (row++, (field = 0), (state = State.FieldStart))
            else state = State.Unquoted
            break
        }
      }
      parts.push(chunk.subarray(from))
      done(null, parts.length === 1 ? chunk : Buffer.concat(parts))
    },
  })
}

/** Result column types (as the catalog names them) whose cells are numbers. */
export function isNumberType(type: string): boolean {
  return /^(tinyint|smallint|int|integer|bigint|float|real|double|decimal(\(\d+,\s*\d+\))?)$/i.test(type.trim())
}

const State = { FieldStart: 0, Unquoted: 1, QuotedStart: 2, Quoted: 3, QuoteInQuoted: 4 } as const

const DQUOTE = 0x22
const COMMA = 0x2c
const LF = 0x0a
/** = + - @ tab CR: what spreadsheets take for the start of a formula. */
const TRIGGERS = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d])
const QUOTE_MARK = Buffer.from("'")
