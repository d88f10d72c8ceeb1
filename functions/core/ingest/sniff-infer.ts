import { z } from '@hono/zod-openapi'

/** Column types as Athena names them; the crawler creates the table with these. */
export const PreviewType = z.enum(['bigint', 'double', 'boolean', 'date', 'timestamp', 'string']).openapi('PreviewType')
export type PreviewType = z.infer<typeof PreviewType>

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

// No leading zeros: 01234 is a zip code or an id, and loading it as a number would lose the 0.
const INTEGER = /^[+-]?(?:0|[1-9]\d*)$/
const DOUBLE = /^[+-]?(?:(?:0|[1-9]\d*)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/

const BOOLEAN_WORDS = new Set(['true', 'false', 't', 'f', 'yes', 'no'])

/** The narrowest type one non-empty cell fits. Integers beyond int64 are strings: no silent rounding. */
export function valueType(value: string): PreviewType {
  if (INTEGER.test(value)) {
    const n = BigInt(value)
    return n >= INT64_MIN && n <= INT64_MAX ? 'bigint' : 'string'
  }
  if (DOUBLE.test(value)) return 'double'
  // The words DuckDB's CSV sniffer reads as booleans, so the preview and the table agree.
  if (BOOLEAN_WORDS.has(value.toLowerCase())) return 'boolean'
  const date = DATE.exec(value)
  if (date) return isDate(date) ? 'date' : 'string'
  const ts = TIMESTAMP.exec(value)
  if (ts && isDate(ts) && Number(ts[4]) < 24 && Number(ts[5]) < 60 && Number(ts[6]) < 60) return 'timestamp'
  return 'string'
}

function isDate(m: RegExpExecArray): boolean {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  return days !== undefined && day >= 1 && day <= days
}

/**
 * One type for a column: every value must fit it. bigint widens to double; any other mix is
 * string (a date column with one timestamp is not guessed). Empty cells (null) do not count;
 * an all-null column is string.
 */
export function columnType(values: Iterable<string | null | undefined>): PreviewType {
  let type: PreviewType | null = null
  for (const value of values) {
    if (value === null || value === undefined || value === '') continue
    const t = valueType(value)
    if (type === null || type === t) type = t
    else if ((type === 'bigint' && t === 'double') || (type === 'double' && t === 'bigint')) type = 'double'
    else return 'string'
  }
  return type ?? 'string'
}
