import type { Dialect } from '../ingest/dialect.ts'
import type { ParquetColumn } from '../ingest/parquet-columns.ts'

/**
 * What an upload keeps as its dialect when it is Parquet: its column names as the table will have
 * them (what an append compares, what the UI lists). A Parquet file has no delimiter, quoting or
 * encoding: those fields hold CSV's defaults and nothing reads them for Parquet (the file's
 * `format` says so).
 */
export function parquetDialect(columns: ParquetColumn[]): Dialect {
  return {
    delimiter: ',',
    quote: '"',
    escape: '"',
    header: true,
    encoding: 'utf-8',
    bom: false,
    compression: 'none',
    lineEnding: '\n',
    columnNames: columns.map((c) => c.name),
  }
}
