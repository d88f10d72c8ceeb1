import { parquetReadObjects } from 'hyparquet'
import { AppError } from '../errors.ts'
import type { FileMeta } from '../files/file-meta.ts'
import { ReadBudgetExceeded, readParquetFooter, storeBuffer } from '../files/parquet-file.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'
import type { ParquetColumn } from './parquet-columns.ts'

export type ParquetPreview = ReturnType<typeof shape>

/**
 * The first rows of a Parquet upload: its footer (schema, row groups) and then the first row group
 * only, each through the store's ranged reads - never the whole file, however big it is. Columns
 * carry the type the table will get (the preview and the load share one mapping); a column that
 * cannot be loaded is listed with why, as a problem, and left out of the rows. `read` is told the
 * bytes of each read (tests bound them).
 */
export async function previewParquet(store: ObjectStore, tenant: TenantId, meta: FileMeta, limit: number, read?: (bytes: number) => void, opts: { maxRowBytes?: number } = {}) {
  const maxRowBytes = opts.maxRowBytes ?? MAX_PREVIEW_ROW_BYTES
  const file = storeBuffer(store, keys.rawData(tenant, meta.fileId), meta.size, read)
  const footer = await readParquetFooter(file)
  const first = footer.metadata.row_groups[0]
  const take = Math.min(limit, first ? Number(first.num_rows) : 0)
  const loadable = footer.columns.filter((c) => c.refused === undefined)
  if (take === 0 || loadable.length === 0) return shape(meta, footer.columns, footer.rows, [])
  // What reading the first rows would hold in memory: a chunk with an offset index is read a page
  // at a time (only the pages the rows need), one without is read and decompressed whole.
  const chunks = first!.columns.filter((c) => loadable.some((l) => l.source === c.meta_data?.path_in_schema.join('.')))
  const whole = chunks.filter((c) => c.offset_index_offset === undefined).reduce((n, c) => n + Number(c.meta_data?.total_uncompressed_size ?? 0), 0)
  const tooBig = () => shape(meta, footer.columns, footer.rows, [], rowsNotShown(chunks.reduce((n, c) => n + Number(c.meta_data?.total_uncompressed_size ?? 0), 0), maxRowBytes))
  if (whole > maxRowBytes) return tooBig()
  let rows: Record<string, unknown>[] = []
  try {
    const compressors = await decompressorsFor(first)
    // Whatever the footer said, no more than maxRowBytes is fetched for the rows.
    const bounded = storeBuffer(store, keys.rawData(tenant, meta.fileId), meta.size, read, { budget: maxRowBytes })
    rows = await parquetReadObjects({ file: bounded, metadata: footer.metadata, rowStart: 0, rowEnd: take, columns: loadable.map((c) => c.source), useOffsetIndex: true, ...(compressors ? { compressors } : {}) })
  } catch (err) {
    if (err instanceof ReadBudgetExceeded) return tooBig()
    throw new AppError('NOT_PARQUET', `The first rows of this Parquet file cannot be read for a preview: ${err instanceof Error ? err.message : String(err)}.`, {}, { cause: err })
  }
  return shape(meta, footer.columns, footer.rows, rows)
}

/** The most column data a preview reads for its rows (the footer is bounded on its own). */
export const MAX_PREVIEW_ROW_BYTES = 64 * 1024 * 1024

function rowsNotShown(bytes: number, max: number): string {
  const mib = (n: number) => `${Math.max(1, Math.round(n / 1024 / 1024))} MiB`
  return `No rows are shown: the first row group of this file holds ${mib(bytes)} of column data, more than the ${mib(max)} a preview reads. The file can still be loaded.`
}

/**
 * hyparquet reads Snappy and uncompressed pages itself; ZSTD, gzip, Brotli and LZ4 need
 * hyparquet-compressors, loaded only for a file that uses one (the preview function's start stays small).
 */
async function decompressorsFor(group: { columns: { meta_data?: { codec?: string } }[] } | undefined) {
  const codecs = new Set((group?.columns ?? []).map((c) => c.meta_data?.codec))
  if (![...codecs].some((c) => c !== undefined && c !== 'UNCOMPRESSED' && c !== 'SNAPPY')) return undefined
  return (await import('hyparquet-compressors')).compressors
}

function shape(meta: FileMeta, columns: ParquetColumn[], total: number, rows: Record<string, unknown>[], notShown?: string) {
  const loadable = columns.filter((c) => c.refused === undefined)
  return {
    fileId: meta.fileId,
    name: meta.name,
    size: meta.size,
    format: 'parquet' as const,
    rowCount: total,
    dialect: meta.dialect,
    columns: columns.map((c) => ({ name: c.name, type: c.type ?? 'unsupported', parquetType: c.parquetType, ...(c.refused ? { refused: c.refused } : {}) })),
    rows: rows.map((row) => Object.fromEntries(loadable.map((c) => [c.name, cellText(row[c.source], c.type!)]))),
    problems: [
      ...(notShown ? [{ line: 0, message: notShown }] : []),
      ...columns.flatMap((c) => (c.refused ? [{ line: 0, message: `Column "${c.source}" is ${c.parquetType}: ${c.refused}; the load will refuse it.` }] : [])),
    ],
    truncated: total > rows.length,
    moreRows: total > rows.length,
    multilineFields: false,
  }
}

/** A value as text, written as the table's engine shows it (a timestamp as `2024-05-01 08:30:00`). */
export function cellText(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) {
    const iso = value.toISOString()
    return type === 'date' ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$|Z$/, '')
  }
  if (value instanceof Uint8Array) {
    const shown = [...value.subarray(0, 64)].map((b) => `\\x${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')
    return value.byteLength > 64 ? `${shown}…` : shown
  }
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  return String(value)
}
