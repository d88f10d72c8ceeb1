import { formatBytes } from '../files/format-bytes.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'

export type UploadLimits = {
  maxUploadBytes: number
  quotaBytes?: number
  /** What the tenant keeps now (uploads, tables, results), from its storage figure: no walk of its records. */
  used?: (tenant: TenantId) => Promise<number>
}

/** How far a .csv.gz may inflate, and what the job says when it goes further. */
export type InflateLimit = { bytes: number; message: string }

/**
 * A compressed upload may inflate to no more than the same file could have been uploaded
 * uncompressed: CSVLAKE_MAX_UPLOAD_BYTES, and with a quota what is left of it beside all else
 * the tenant keeps. A few KiB of gzip members can otherwise fill the disk.
 */
export async function inflateLimit(store: ObjectStore, tenant: TenantId, fileId: string, limits: UploadLimits): Promise<InflateLimit> {
  const tooBig = `This .csv.gz inflates to more than ${formatBytes(limits.maxUploadBytes)}, the most an upload may be ` +
    '(CSVLAKE_MAX_UPLOAD_BYTES); nothing was loaded. Split it into smaller files.'
  if (limits.quotaBytes === undefined || !limits.used) return { bytes: limits.maxUploadBytes, message: tooBig }
  // The compressed upload (its bytes and its record) counts now; what it inflates to takes its place.
  const compressed = await store.sizeUnder(keys.rawDir(tenant, fileId))
  const others = Math.max(0, (await limits.used(tenant)) - compressed)
  const left = Math.max(limits.quotaBytes - others, 0)
  if (left >= limits.maxUploadBytes) return { bytes: limits.maxUploadBytes, message: tooBig }
  return {
    bytes: left,
    message:
      `This .csv.gz inflates to more than ${formatBytes(left)}, what your storage quota of ${formatBytes(limits.quotaBytes)} ` +
      '(CSVLAKE_TENANT_QUOTA_BYTES) leaves for it uncompressed beside your other files, tables and results; nothing was loaded. ' +
      'Delete files you no longer need, or split it into smaller files.',
  }
}
