import { AppError } from '../../errors.ts'
import type { TenantId } from '../../tenant.ts'

export type PoolLimits = { maxInstances: number; idleMs: number }

export type Lease<S> = { sandbox: S; release(): void }

type Slot<S> = {
  opening: Promise<S>
  /** The sandbox once open. */
  opened?: S
  /** Leases out: queries running, pages being read. A busy slot is never closed. */
  busy: number
  lastUsed: number
  idleTimer?: NodeJS.Timeout
}

/**
 * At most `maxInstances` tenant sandboxes, opened on demand. When full, the sandbox idle the
 * longest is closed to make room; one in use never is, and when all are in use a new tenant
 * is told to retry. A sandbox unused for `idleMs` closes by itself.
 */
export class SandboxPool<S extends { close(): void; readonly alive?: boolean }> {
  private readonly slots = new Map<TenantId, Slot<S>>()
  private closed = false

  constructor(
    private readonly open: (tenant: TenantId) => Promise<S>,
    private readonly limits: PoolLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The tenant's sandbox, held until `release()`. */
  async acquire(tenant: TenantId): Promise<Lease<S>> {
    if (this.closed) throw new AppError('UNAVAILABLE', 'The query engine is shutting down.')
    let slot = this.slots.get(tenant)
    // A sandbox that went away (killed past its memory bound, or crashed) is replaced.
    if (slot?.opened?.alive === false) {
      this.slots.delete(tenant)
      clearTimeout(slot.idleTimer)
      slot = undefined
    }
    if (!slot) {
      if (this.slots.size >= this.limits.maxInstances) this.evictIdlest()
      const opening = this.open(tenant)
      const fresh: Slot<S> = { opening, busy: 0, lastUsed: this.clock() }
      opening.then((sandbox) => (fresh.opened = sandbox), () => undefined)
      slot = fresh
      this.slots.set(tenant, slot)
    }
    const held = slot
    held.busy++
    clearTimeout(held.idleTimer)
    let sandbox: S
    try {
      sandbox = await held.opening
    } catch (err) {
      held.busy--
      if (this.slots.get(tenant) === held) this.slots.delete(tenant)
      throw err
    }
    let released = false
    return {
      sandbox,
      release: () => {
        if (released) return
        released = true
        this.release(tenant, held)
      },
    }
  }

  get size(): number {
    return this.slots.size
  }

  async close(): Promise<void> {
    this.closed = true
    const slots = [...this.slots.values()]
    this.slots.clear()
    for (const slot of slots) {
      clearTimeout(slot.idleTimer)
      await closeSlot(slot)
    }
  }

  private release(tenant: TenantId, slot: Slot<S>): void {
    slot.busy--
    slot.lastUsed = this.clock()
    if (slot.busy > 0 || this.slots.get(tenant) !== slot) return
    slot.idleTimer = setTimeout(() => {
      if (slot.busy > 0 || this.slots.get(tenant) !== slot) return
      this.slots.delete(tenant)
      void closeSlot(slot)
    }, this.limits.idleMs)
    slot.idleTimer.unref()
  }

  private evictIdlest(): void {
    let victim: [TenantId, Slot<S>] | undefined
    for (const entry of this.slots) {
      if (entry[1].busy === 0 && (!victim || entry[1].lastUsed < victim[1].lastUsed)) victim = entry
    }
    if (!victim) {
      throw new AppError('TOO_MANY_REQUESTS', 'Too many tenants are querying at once; try again in a moment.')
    }
    clearTimeout(victim[1].idleTimer)
    this.slots.delete(victim[0])
    void closeSlot(victim[1])
  }
}

async function closeSlot<S extends { close(): void }>(slot: Slot<S>): Promise<void> {
  try {
    ;(await slot.opening).close()
  } catch {
    // Never opened, or already gone: nothing to close.
  }
}
