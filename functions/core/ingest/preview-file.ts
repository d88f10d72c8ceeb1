import { AppError } from '../errors.ts'
import { getFile } from '../files/file-registry.ts'
import { readDecodedHead } from '../files/decoded-head.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'
import type { DialectOverride } from './dialect.ts'
import { previewParquet } from './preview-parquet.ts'
import { previewRows, withOverride } from './sniff.ts'

/**
 * The first rows of an upload, parsed with the dialect kept with it (or the caller's override),
 * from a bounded head of the file: the time does not grow with the file size. Column types are
 * inferred from the rows read; the crawler checks them against every row. A Parquet file is read
 * by its footer and first row group instead (preview-parquet.ts).
 */
export async function previewFile(
  deps: { store: ObjectStore; headBytes: number },
  tenant: TenantId,
  fileId: string,
  limit: number,
  override: DialectOverride,
) {
  const meta = await getFile(deps.store, tenant, fileId)
  if (meta.format === 'parquet') {
    if (Object.keys(override).length > 0) {
      throw new AppError('BAD_REQUEST', 'This file is Parquet: it has no delimiter, quoting, header or encoding to override. Preview it without them.')
    }
    return previewParquet(deps.store, tenant, meta, limit)
  }
  // Parse only as much of the head as the rows asked for need: start small, grow to the limit.
  for (let bytes = Math.min(FIRST_READ_BYTES, deps.headBytes); ; bytes = Math.min(bytes * 4, deps.headBytes)) {
    const head = await readDecodedHead(deps.store, keys.rawData(tenant, fileId), meta.compression, bytes)
    const dialect = Object.keys(override).length === 0 ? meta.dialect : withOverride(head.bytes, meta.dialect, override, { truncated: head.truncated })
    const preview = previewRows(head.bytes, dialect, limit, { truncated: head.truncated })
    const enough = preview.rows.length >= limit || !head.truncated || bytes >= deps.headBytes
    if (enough) return { fileId, name: meta.name, size: meta.size, format: 'csv' as const, dialect, ...preview }
  }
}

/** Enough for 100 rows of most files. */
const FIRST_READ_BYTES = 64 * 1024
