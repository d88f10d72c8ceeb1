import { parquetMetadataAsync, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet'
import { AppError } from '../errors.ts'
import { parquetColumns, type ParquetColumn } from '../ingest/parquet-columns.ts'
import type { ObjectStore } from '../ports/object-store.ts'

/** A Parquet file starts and ends with these four bytes ("PAR1"). */
export const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]

/**
 * The most a footer may weigh. A footer lists every row group's every column: a few MiB for the
 * widest files. Past this the file is refused instead of read into memory.
 */
export const MAX_FOOTER_BYTES = 16 * 1024 * 1024

/** The first read of a footer: the last 64 KiB hold it whole for most files (one ranged read). */
const FIRST_FOOTER_READ = 64 * 1024

/**
 * An object of the store as hyparquet's AsyncBuffer: each slice is one ranged read, so a reader
 * that needs the footer and a row group reads those and nothing else. `read` is told each range's
 * size (tests count what a preview reads); past `budget` bytes in all, a slice throws ReadBudgetExceeded.
 */
export function storeBuffer(store: ObjectStore, key: string, byteLength: number, read?: (bytes: number) => void, opts: { budget?: number } = {}): AsyncBuffer {
  let left = opts.budget ?? Infinity
  return {
    byteLength,
    async slice(start: number, end = byteLength) {
      // Refused before it is read: a file's own numbers cannot make a reader fetch more.
      if (end - start > left) throw new ReadBudgetExceeded()
      left -= end - start
      const bytes = await store.readRange(key, start, end)
      read?.(bytes.byteLength)
      // A fresh ArrayBuffer of exactly these bytes (a Buffer may share a bigger pool).
      return bytes.slice().buffer as ArrayBuffer
    },
  }
}

/** A storeBuffer was asked for more than its budget. */
export class ReadBudgetExceeded extends Error {
  constructor() {
    super('read budget exceeded')
    this.name = 'ReadBudgetExceeded'
  }
}

export type ParquetFooter = { metadata: FileMetaData; columns: ParquetColumn[]; rows: number }

/**
 * The file's footer (schema, row groups) read through ranged reads, with its columns as the table
 * will have them. A file that is not whole Parquet (no PAR1 at its end, a footer that does not
 * parse or is too big) is refused with NOT_PARQUET, saying what to do.
 */
export async function readParquetFooter(file: AsyncBuffer): Promise<ParquetFooter> {
  if (file.byteLength < 12) throw notParquet('it is too short to be one')
  const tail = new DataView(await file.slice(file.byteLength - 8, file.byteLength))
  if (tail.getUint32(4, true) !== 0x31524150) throw notParquet('it does not end with PAR1, so it is cut short or not Parquet at all')
  const footerBytes = tail.getUint32(0, true)
  if (footerBytes + 8 > file.byteLength) throw notParquet('its footer says it is longer than the file')
  if (footerBytes > MAX_FOOTER_BYTES) {
    throw new AppError('NOT_PARQUET', `This Parquet file's footer is ${footerBytes} bytes, over the ${MAX_FOOTER_BYTES} csvlake reads; write it with fewer row groups or columns.`)
  }
  let metadata: FileMetaData
  try {
    metadata = await parquetMetadataAsync(file, { initialFetchSize: Math.max(FIRST_FOOTER_READ, footerBytes + 8), geoparquet: false })
  } catch (err) {
    throw notParquet('its footer cannot be read', err)
  }
  if (metadata.schema.length < 2) throw notParquet('it has no columns')
  return { metadata, columns: parquetColumns(parquetSchema(metadata)), rows: Number(metadata.num_rows) }
}

/** The footer of a stored file. */
export async function readStoredParquetFooter(store: ObjectStore, key: string, size: number): Promise<ParquetFooter> {
  return readParquetFooter(storeBuffer(store, key, size))
}

function notParquet(why: string, cause?: unknown): AppError {
  return new AppError('NOT_PARQUET', `This file is not a Parquet file csvlake can read: ${why}. Upload the .parquet file as it was written, or a CSV.`, {}, cause === undefined ? undefined : { cause })
}
