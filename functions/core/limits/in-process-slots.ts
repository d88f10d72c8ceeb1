import type { SlotGrant, SlotKind, TenantSlots } from '../ports/tenant-slots.ts'
import type { TenantId } from '../tenant.ts'

/**
 * Slots counted in this process's memory: exact and free for one process that serves every
 * request (local mode's gateway). Each check and take happens without an await between them,
 * so requests arriving together cannot all slip under the limit.
 */
export class InProcessSlots implements TenantSlots {
  private readonly held = new Map<string, Map<string, number>>()

  constructor(private readonly clock: () => number = Date.now) {}

  async acquire(tenant: TenantId, kind: SlotKind, holder: string, opts: { max: number; ttlMs: number }): Promise<SlotGrant> {
    const slots = this.slots(tenant, kind)
    const now = this.clock()
    for (const [h, expires] of slots) if (expires <= now) slots.delete(h)
    if (!slots.has(holder) && slots.size >= opts.max) return { taken: false, held: slots.size }
    slots.set(holder, now + opts.ttlMs)
    return { taken: true, held: slots.size }
  }

  async release(tenant: TenantId, kind: SlotKind, holder: string): Promise<void> {
    const key = `${tenant}/${kind}`
    const slots = this.held.get(key)
    slots?.delete(holder)
    if (slots?.size === 0) this.held.delete(key)
  }

  private slots(tenant: TenantId, kind: SlotKind): Map<string, number> {
    const key = `${tenant}/${kind}`
    let slots = this.held.get(key)
    if (!slots) this.held.set(key, (slots = new Map()))
    return slots
  }
}
