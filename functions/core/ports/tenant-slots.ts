import type { TenantId } from '../tenant.ts'

export type SlotKind = 'queries' | 'jobs'

/** Whether a slot was taken, and how many the tenant holds (this one included when taken). */
export type SlotGrant = { taken: boolean; held: number }

/**
 * Per-tenant concurrency limits (running queries, running jobs), counted where every replica of
 * a function sees them: a tenant cannot pass its limit by having its requests land on different
 * replicas. Locally one process serves every request, so memory is where they are counted
 * (InProcessSlots); with functions scaled out the count is one record per tenant and kind,
 * changed with conditional writes (StoreSlots over S3's If-Match, or a DynamoDB conditional
 * update). A holder that dies never releases: every slot expires after `ttlMs` (the longest the
 * work it guards may run), so a crash frees it in time.
 */
export interface TenantSlots {
  /** Takes a slot for `holder` unless the tenant holds `max` already. Taking one twice holds one. */
  acquire(tenant: TenantId, kind: SlotKind, holder: string, opts: { max: number; ttlMs: number }): Promise<SlotGrant>
  /** Frees the holder's slot; nothing happens when it holds none. */
  release(tenant: TenantId, kind: SlotKind, holder: string): Promise<void>
}
