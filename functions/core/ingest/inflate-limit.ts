import { formatBytes } from '../files/format-bytes.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'

export type UploadLimits = {
  maxUploadBytes: number
  quotaBytes?: number
  /** Holds room in the tenant's quota while the file is inflated (see StorageUsage.reserve). */
  reserve?: (tenant: TenantId, atMost: number) => Promise<{ bytes: number; release(): void }>
}

/** How far a .csv.gz may inflate, what the job says when it goes further, and the room to give back after. */
export type InflateLimit = { bytes: number; message: string; release(): void }

/**
 * A compressed upload may inflate to no more than the same file could have been uploaded
 * uncompressed: CSVLAKE_MAX_UPLOAD_BYTES, and with a quota what is left of it beside all else
 * the tenant keeps and what other writes hold. A few KiB of gzip members can otherwise fill the disk.
 */
export async function inflateLimit(store: ObjectStore, tenant: TenantId, fileId: string, limits: UploadLimits): Promise<InflateLimit> {
  const tooBig = `This .csv.gz inflates to more than ${formatBytes(limits.maxUploadBytes)}, the most an upload may be ` +
    '(CSVLAKE_MAX_UPLOAD_BYTES); nothing was loaded. Split it into smaller files.'
  const none = () => undefined
  if (limits.quotaBytes === undefined || !limits.reserve) return { bytes: limits.maxUploadBytes, message: tooBig, release: none }
  // The compressed upload (its bytes and its record) counts now; what it inflates to takes its place.
  const compressed = await store.sizeUnder(keys.rawDir(tenant, fileId))
  const held = await limits.reserve(tenant, limits.maxUploadBytes).catch(() => ({ bytes: 0, release: none }))
  const left = Math.min(limits.maxUploadBytes, held.bytes + compressed)
  if (left >= limits.maxUploadBytes) return { bytes: left, message: tooBig, release: () => held.release() }
  return {
    bytes: left,
    message:
      `This .csv.gz inflates to more than ${formatBytes(left)}, what your storage quota of ${formatBytes(limits.quotaBytes)} ` +
      '(CSVLAKE_TENANT_QUOTA_BYTES) leaves for it uncompressed beside your other files, tables and results; nothing was loaded. ' +
      'Delete files you no longer need, or split it into smaller files.',
    release: () => held.release(),
  }
}
