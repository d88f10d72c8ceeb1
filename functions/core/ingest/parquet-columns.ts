import type { SchemaTree } from 'hyparquet'
import { columnNamesFor } from './sniff-header.ts'

/**
 * One top-level column of an uploaded Parquet file, as the table will have it: `source` is its
 * name in the file, `name` the table's (normalised as a CSV header is: trimmed, blank filled,
 * repeats numbered), `parquetType` says what the file holds, in Parquet's words. `type` is the
 * Glue/Athena type it loads as, or `refused` says why it cannot be loaded.
 */
export type ParquetColumn = { source: string; name: string; parquetType: string } & ({ type: string; refused?: undefined } | { type?: undefined; refused: string })

/** The most digits a decimal Athena reads may have. */
const MAX_DECIMAL_PRECISION = 38

/**
 * The columns of a Parquet file from its schema tree (hyparquet's `parquetSchema`), with the type
 * each loads as. One mapping for the preview, the upload and the conversion on both backends, so
 * what the preview shows is what the table gets. The conversion (DuckDB) casts to these types.
 */
export function parquetColumns(schema: SchemaTree): ParquetColumn[] {
  const fields = schema.children
  const names = columnNamesFor([fields.map((f) => f.element.name)], true)
  return fields.map((field, i) => ({ source: field.element.name, name: names[i]!, parquetType: describe(field), ...typeOf(field) }))
}

/** The columns that cannot be loaded, in one message naming each with its type: the job's error. */
export function refusalMessage(columns: ParquetColumn[]): string | undefined {
  const refused = columns.filter((c) => c.refused !== undefined)
  if (refused.length === 0) return undefined
  const each = refused.map((c) => `column "${c.source}" is ${c.parquetType}: ${c.refused}`)
  return `This Parquet file cannot be loaded as it is: ${each.join('; ')}. Convert ${refused.length === 1 ? 'that column' : 'those columns'} (or leave ${refused.length === 1 ? 'it' : 'them'} out) and upload the file again.`
}

/** The file's own words for a column's type, e.g. `INT64 (TIMESTAMP, NANOS)` or `group (LIST)`. */
export function describe(field: SchemaTree): string {
  const e = field.element
  const logical = e.logical_type
  const detail = logical
    ? logical.type === 'DECIMAL'
      ? `DECIMAL(${logical.precision},${logical.scale})`
      : logical.type === 'TIME' || logical.type === 'TIMESTAMP'
        ? `${logical.type}, ${logical.unit}${logical.isAdjustedToUTC ? ', UTC' : ''}`
        : logical.type === 'INTEGER'
          ? `${logical.isSigned ? '' : 'UNSIGNED '}INTEGER(${logical.bitWidth})`
          : logical.type
    : e.converted_type === 'DECIMAL'
      ? `DECIMAL(${e.precision ?? '?'},${e.scale ?? 0})`
      : e.converted_type
  const physical = field.children.length > 0 || e.type === undefined ? 'group' : e.type
  const repeated = e.repetition_type === 'REPEATED' ? 'repeated ' : ''
  return `${repeated}${physical}${detail ? ` (${detail})` : ''}`
}

const NESTED = 'nested values (lists, maps, structs) cannot be loaded yet'
const ATHENA_NO_TIME = 'Athena has no time-of-day column type'

function typeOf(field: SchemaTree): { type: string } | { refused: string } {
  const e = field.element
  if (field.children.length > 0 || e.type === undefined) return { refused: NESTED }
  if (e.repetition_type === 'REPEATED') return { refused: NESTED }
  const logical = e.logical_type
  const converted = e.converted_type
  if (logical?.type === 'DECIMAL' || converted === 'DECIMAL') {
    const precision = logical?.type === 'DECIMAL' ? logical.precision : (e.precision ?? 0)
    const scale = logical?.type === 'DECIMAL' ? logical.scale : (e.scale ?? 0)
    if (precision > MAX_DECIMAL_PRECISION) return { refused: `Athena's decimals hold at most ${MAX_DECIMAL_PRECISION} digits` }
    return { type: `decimal(${precision},${scale})` }
  }
  if (logical?.type === 'TIME' || converted === 'TIME_MILLIS' || converted === 'TIME_MICROS') return { refused: ATHENA_NO_TIME }
  if (logical?.type === 'INTERVAL' || converted === 'INTERVAL') return { refused: 'Athena cannot read Parquet intervals' }
  if (logical && ['MAP', 'LIST'].includes(logical.type)) return { refused: NESTED }
  if (logical && ['VARIANT', 'GEOMETRY', 'GEOGRAPHY', 'BSON'].includes(logical.type)) return { refused: `${logical.type} values cannot be loaded yet` }
  if (logical?.type === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return { type: 'timestamp' }
  if (logical?.type === 'DATE' || converted === 'DATE') return { type: 'date' }
  if (logical?.type === 'NULL') return { type: 'string' }
  if (logical && ['STRING', 'ENUM', 'JSON', 'UUID'].includes(logical.type)) return { type: 'string' }
  if (converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON') return { type: 'string' }
  if (logical?.type === 'FLOAT16') return { type: 'float' }
  const integer = integerOf(field)
  if (integer) return { type: integer }
  switch (e.type) {
    case 'BOOLEAN':
      return { type: 'boolean' }
    case 'INT32':
      return { type: 'int' }
    case 'INT64':
      return { type: 'bigint' }
    case 'INT96':
      return { type: 'timestamp' }
    case 'FLOAT':
      return { type: 'float' }
    case 'DOUBLE':
      return { type: 'double' }
    default:
      return { type: 'binary' }
  }
}

/** Integers by width and sign; unsigned ones take the next wider signed type (Athena has no unsigned). */
function integerOf(field: SchemaTree): string | undefined {
  const e = field.element
  const logical = e.logical_type
  const fromConverted: Record<string, [number, boolean]> = {
    INT_8: [8, true],
    INT_16: [16, true],
    INT_32: [32, true],
    INT_64: [64, true],
    UINT_8: [8, false],
    UINT_16: [16, false],
    UINT_32: [32, false],
    UINT_64: [64, false],
  }
  const width = logical?.type === 'INTEGER' ? ([logical.bitWidth, logical.isSigned] as const) : e.converted_type ? fromConverted[e.converted_type] : undefined
  if (!width) return undefined
  const [bits, signed] = width
  const signedTypes: Record<number, string> = { 8: 'tinyint', 16: 'smallint', 32: 'int', 64: 'bigint' }
  const unsignedTypes: Record<number, string> = { 8: 'smallint', 16: 'int', 32: 'bigint', 64: 'decimal(20,0)' }
  return (signed ? signedTypes : unsignedTypes)[bits]
}
