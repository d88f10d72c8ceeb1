import { named, z } from '../zod.ts'

/**
 * Column types as Athena names them; the crawler creates the table with these:
 * bigint, decimal(p,s), double, boolean, date, timestamp, string.
 */
export const PreviewType = named(
  'PreviewType',
  z.string().check(z.regex(/^(bigint|double|boolean|date|timestamp|string|decimal\(\d{1,2},\d{1,2}\))$/)),
  { example: 'decimal(10,2)' },
)
export type PreviewType = z.infer<typeof PreviewType>

/** Athena's (and Parquet's) widest exact decimal; wider plain numbers become double. */
export const MAX_DECIMAL_PRECISION = 38

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

// No leading zeros: 01234 is a zip code or an id, and loading it as a number would lose the 0.
const INTEGER = /^[+-]?(?:0|[1-9]\d*)$/
/** A number written out in full (no exponent): exact as a decimal. */
const PLAIN = /^[+-]?(?:(0|[1-9]\d*)(?:\.(\d+))?|\.(\d+))$/
const DOUBLE = /^[+-]?(?:(?:0|[1-9]\d*)(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/

const BOOLEAN_WORDS = new Set(['true', 'false', 't', 'f', 'yes', 'no'])

/**
 * The narrowest type one non-empty cell fits: integers within int64 are bigint, other numbers
 * written out in full are exact decimals (decimal(p,s), p at most 38), numbers with an exponent
 * are double.
 */
export function valueType(value: string): PreviewType {
  if (INTEGER.test(value)) {
    const n = BigInt(value)
    if (n >= INT64_MIN && n <= INT64_MAX) return 'bigint'
  }
  const plain = PLAIN.exec(value)
  if (plain) {
    const digits = (plain[1] ?? '').length
    const scale = (plain[2] ?? plain[3] ?? '').length
    return digits + scale <= MAX_DECIMAL_PRECISION ? decimalType(Math.max(digits, 1) + scale, scale) : 'double'
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

function decimalType(precision: number, scale: number): PreviewType {
  return `decimal(${precision},${scale})`
}

type Numeric = { kind: 'bigint' } | { kind: 'decimal'; digits: number; scale: number } | { kind: 'double' }

function numeric(type: PreviewType, value: string): Numeric | undefined {
  if (type === 'bigint') return { kind: 'bigint' }
  if (type === 'double') return { kind: 'double' }
  const m = /^decimal\((\d+),(\d+)\)$/.exec(type)
  if (!m) return undefined
  const scale = Number(m[2])
  return { kind: 'decimal', digits: Number(m[1]) - scale, scale: value.includes('.') ? scale : 0 }
}

/** Numbers widen: bigint into decimal (with room for its digits), either into double. */
function widen(a: Numeric, b: Numeric, bigintDigits: number): Numeric {
  if (a.kind === 'double' || b.kind === 'double') return { kind: 'double' }
  if (a.kind === 'bigint' && b.kind === 'bigint') return a
  const digits = Math.max(a.kind === 'decimal' ? a.digits : bigintDigits, b.kind === 'decimal' ? b.digits : bigintDigits)
  const scale = Math.max(a.kind === 'decimal' ? a.scale : 0, b.kind === 'decimal' ? b.scale : 0)
  return digits + scale <= MAX_DECIMAL_PRECISION ? { kind: 'decimal', digits, scale } : { kind: 'double' }
}

/**
 * One type for a column: every value must fit it. Numbers widen (bigint -> decimal -> double);
 * any other mix is string (a date column with one timestamp is not guessed). Empty cells (null)
 * do not count; an all-null column is string.
 */
export function columnType(values: Iterable<string | null | undefined>): PreviewType {
  let type: PreviewType | null = null
  let number: Numeric | undefined
  let bigintDigits = 1
  for (const value of values) {
    if (value === null || value === undefined || value === '') continue
    const t = valueType(value)
    const n = numeric(t, value)
    if (n?.kind === 'bigint') bigintDigits = Math.max(bigintDigits, value.replace(/^[+-]/, '').length)
    if (type === null) {
      type = t
      number = n
      continue
    }
    if (n && number) {
      number = widen(number, n, bigintDigits)
      type = 'numeric'
    } else if (type !== t) {
      return 'string'
    }
  }
  if (type === null) return 'string'
  if (!number || type !== 'numeric') return type
  if (number.kind === 'decimal') return decimalType(Math.max(number.digits, 1) + number.scale, number.scale)
  return number.kind
}
