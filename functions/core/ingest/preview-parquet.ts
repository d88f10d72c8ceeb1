import { parquetReadObjects } from 'hyparquet'
import { AppError } from '../errors.ts'
import type { FileMeta } from '../files/file-meta.ts'
import { readParquetFooter, storeBuffer } from '../files/parquet-file.ts'
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
export async function previewParquet(store: ObjectStore, tenant: TenantId, meta: FileMeta, limit: number, read?: (bytes: number) => void) {
  const file = storeBuffer(store, keys.rawData(tenant, meta.fileId), meta.size, read)
  const footer = await readParquetFooter(file)
  const first = footer.metadata.row_groups[0]
  const take = Math.min(limit, first ? Number(first.num_rows) : 0)
  const loadable = footer.columns.filter((c) => c.refused === undefined)
  let rows: Record<string, unknown>[] = []
  if (take > 0 && loadable.length > 0) {
    try {
      const compressors = await decompressorsFor(first)
      rows = await parquetReadObjects({ file, metadata: footer.metadata, rowStart: 0, rowEnd: take, columns: loadable.map((c) => c.source), useOffsetIndex: true, ...(compressors ? { compressors } : {}) })
    } catch (err) {
      throw new AppError('NOT_PARQUET', `The first rows of this Parquet file cannot be read for a preview: ${err instanceof Error ? err.message : String(err)}.`, {}, { cause: err })
    }
  }
  return shape(meta, footer.columns, footer.rows, rows)
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

function shape(meta: FileMeta, columns: ParquetColumn[], total: number, rows: Record<string, unknown>[]) {
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
    problems: columns.flatMap((c) => (c.refused ? [{ line: 0, message: `Column "${c.source}" is ${c.parquetType}: ${c.refused}; the load will refuse it.` }] : [])),
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
