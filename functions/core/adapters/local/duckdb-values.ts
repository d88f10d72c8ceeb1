import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  DuckDBUnionValue,
  DuckDBVariantValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api'
import { glueTypeOf } from './duckdb-glue-types.ts'
import type { Cell } from '../../ports/query-runner.ts'

const MICROS_PER_DAY = 86_400_000_000n
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** A result column's type as the catalog and Athena name it: bigint, decimal(10,2), array<int>, ... */
export function resultTypeOf(type: DuckDBType): string {
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return `array<${resultTypeOf(type.valueType)}>`
    case DuckDBTypeId.STRUCT:
      return `struct<${type.entryNames.map((n, i) => `${n}:${entryType(type.entryTypes[i])}`).join(',')}>`
    case DuckDBTypeId.MAP:
      return `map<${resultTypeOf(type.keyType)},${resultTypeOf(type.valueType)}>`
    case DuckDBTypeId.UHUGEINT:
      return 'bigint'
    case DuckDBTypeId.ENUM:
      return 'string'
    default:
      return glueTypeOf(type.toString())
  }
}

function entryType(type: DuckDBType | undefined): string {
  return type ? resultTypeOf(type) : 'string'
}

/**
 * Parquet has no 128-bit integers, so DuckDB would store HUGEINT as DOUBLE and lose digits;
 * such columns are stored as text and turned back into integers when read (see `toCell`).
 */
export function storedAsText(type: DuckDBType): boolean {
  return type.typeId === DuckDBTypeId.HUGEINT || type.typeId === DuckDBTypeId.UHUGEINT
}

/**
 * A DuckDB value as JSON can carry it: integers beyond 2^53 and decimals as exact strings,
 * NaN and infinities as strings, dates as YYYY-MM-DD, timestamps as ISO 8601 to the
 * millisecond (with Z when zoned), blobs as base64. `columnType` is the result column's type:
 * a bigint column stored as text is read back as an integer.
 */
export function toCell(value: DuckDBValue, columnType?: string): Cell {
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'string') {
    return columnType === 'bigint' && /^-?\d+$/.test(value) ? integerCell(BigInt(value)) : value
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'bigint') return integerCell(value)
  if (value instanceof DuckDBDecimalValue) return value.toString()
  if (value instanceof DuckDBDateValue) return value.isFinite ? formatDate(value.days) : infinity(value.days > 0)
  if (value instanceof DuckDBTimestampValue) return timestampCell(value.isFinite, value.micros, '')
  if (value instanceof DuckDBTimestampTZValue) return timestampCell(value.isFinite, value.micros, 'Z')
  if (value instanceof DuckDBTimestampSecondsValue) return timestampCell(value.isFinite, value.seconds * 1_000_000n, '')
  if (value instanceof DuckDBTimestampMillisecondsValue) return timestampCell(value.isFinite, value.millis * 1000n, '')
  if (value instanceof DuckDBTimestampNanosecondsValue) return timestampCell(value.isFinite, value.nanos / 1000n, '')
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64')
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map((v) => toCell(v))
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, toCell(v)]))
  }
  if (value instanceof DuckDBMapValue) return value.entries.map((e) => ({ key: toCell(e.key), value: toCell(e.value) }))
  if (value instanceof DuckDBUnionValue || value instanceof DuckDBVariantValue) return toCell(value.value)
  // TIME, INTERVAL, UUID, BIT, ...: DuckDB's own text is the clearest form.
  return value.toString()
}

function infinity(positive: boolean): string {
  return positive ? 'infinity' : '-infinity'
}

function integerCell(value: bigint): number | string {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value.toString()
}

function timestampCell(finite: boolean, micros: bigint, zone: string): string {
  if (!finite) return infinity(micros > 0n)
  const days = floorDiv(micros, MICROS_PER_DAY)
  const ms = Number((micros - days * MICROS_PER_DAY) / 1000n)
  const time = [Math.floor(ms / 3_600_000), Math.floor(ms / 60_000) % 60, Math.floor(ms / 1000) % 60]
  return `${formatDate(Number(days))}T${time.map((n) => pad(n, 2)).join(':')}.${pad(ms % 1000, 3)}${zone}`
}

/** Days since 1970-01-01 as YYYY-MM-DD, in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
function formatDate(daysSinceEpoch: number): string {
  const z = daysSinceEpoch + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`
  return `${y}-${pad(month, 2)}-${pad(day, 2)}`
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b < 0n ? q - 1n : q
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}
