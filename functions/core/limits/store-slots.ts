import { updateJson } from '../json-records.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { SlotGrant, SlotKind, TenantSlots } from '../ports/tenant-slots.ts'
import type { TenantId } from '../tenant.ts'

/** Thrown out of a change to end it without a write. */
const FULL = Symbol('full')

/** One tenant's slots of one kind: each holder with when its slot expires (ms since the epoch). */
type Held = Record<string, number>

/**
 * Slots counted in one record per tenant and kind in the object store (slots/{tenant}/{kind}.json),
 * changed by read, then a write conditional on the etag read (S3's If-Match), again on a
 * conflict: every replica sees one count, and two replicas racing for the last slot cannot both
 * take it. Expired slots (a holder that died) are dropped by whoever writes next.
 */
export class StoreSlots implements TenantSlots {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async acquire(tenant: TenantId, kind: SlotKind, holder: string, opts: { max: number; ttlMs: number }): Promise<SlotGrant> {
    let grant: SlotGrant = { taken: false, held: 0 }
    try {
      await updateJson<Held>(this.store, keys.slots(tenant, kind), (current) => {
        // Pure: it may run again after a conflict, and only its last run counts.
        const held = live(current ?? {}, this.clock())
        if (!(holder in held) && Object.keys(held).length >= opts.max) {
          grant = { taken: false, held: Object.keys(held).length }
          throw FULL // A refusal writes nothing.
        }
        const next = { ...held, [holder]: this.clock() + opts.ttlMs }
        grant = { taken: true, held: Object.keys(next).length }
        return next
      })
    } catch (err) {
      if (err !== FULL) throw err
    }
    return grant
  }

  async release(tenant: TenantId, kind: SlotKind, holder: string): Promise<void> {
    await updateJson<Held>(this.store, keys.slots(tenant, kind), (current) => {
      const { [holder]: _released, ...rest } = live(current ?? {}, this.clock())
      return rest
    })
  }
}

function live(held: Held, now: number): Held {
  return Object.fromEntries(Object.entries(held).filter(([, expires]) => expires > now))
}
