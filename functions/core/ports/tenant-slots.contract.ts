import { describe, expect, it } from 'vitest'
import { tenantId } from '../tenant.ts'
import type { TenantSlots } from './tenant-slots.ts'

const ACME = tenantId('acme')
const BRAVO = tenantId('bravo')
const LIMIT = { max: 2, ttlMs: 60_000 }

/**
 * The TenantSlots contract. `replicas` answers slots that share one count (two replicas of a
 * function); `clock` moves time on for the expiry test.
 */
export function tenantSlotsContract(name: string, setup: () => { replicas: () => TenantSlots; advance: (ms: number) => void }): void {
  describe(`TenantSlots contract: ${name}`, () => {
    it('takes up to the limit, refuses the next with how many are held, and frees a slot on release', async () => {
      const { replicas } = setup()
      const slots = replicas()
      expect(await slots.acquire(ACME, 'queries', 'q1', LIMIT)).toEqual({ taken: true, held: 1 })
      expect(await slots.acquire(ACME, 'queries', 'q2', LIMIT)).toEqual({ taken: true, held: 2 })
      expect(await slots.acquire(ACME, 'queries', 'q3', LIMIT)).toEqual({ taken: false, held: 2 })
      await slots.release(ACME, 'queries', 'q1')
      expect(await slots.acquire(ACME, 'queries', 'q3', LIMIT)).toEqual({ taken: true, held: 2 })
    })

    it('counts each tenant and each kind apart; taking twice holds one; releasing what is not held does nothing', async () => {
      const slots = setup().replicas()
      await slots.acquire(ACME, 'queries', 'q1', LIMIT)
      await slots.acquire(ACME, 'queries', 'q2', LIMIT)
      expect(await slots.acquire(BRAVO, 'queries', 'q1', LIMIT)).toEqual({ taken: true, held: 1 })
      expect(await slots.acquire(ACME, 'jobs', 'j1', LIMIT)).toEqual({ taken: true, held: 1 })
      expect(await slots.acquire(ACME, 'queries', 'q2', LIMIT)).toEqual({ taken: true, held: 2 })
      await slots.release(ACME, 'queries', 'nobody')
      expect(await slots.acquire(ACME, 'queries', 'q3', LIMIT)).toEqual({ taken: false, held: 2 })
    })

    it('lets no more than the limit through when many ask at once', async () => {
      const { replicas } = setup()
      const slots = replicas()
      const grants = await Promise.all(Array.from({ length: 10 }, (_, i) => slots.acquire(ACME, 'queries', `q${i}`, LIMIT)))
      expect(grants.filter((g) => g.taken)).toHaveLength(2)
    })

    it('frees the slot of a holder that never released once its time is up', async () => {
      const { replicas, advance } = setup()
      const slots = replicas()
      await slots.acquire(ACME, 'queries', 'q1', LIMIT)
      await slots.acquire(ACME, 'queries', 'q2', LIMIT)
      advance(LIMIT.ttlMs + 1)
      expect(await slots.acquire(ACME, 'queries', 'q3', LIMIT)).toEqual({ taken: true, held: 1 })
    })
  })
}

/** For slots meant to hold across replicas: two replicas share one count. */
export function sharedSlotsContract(name: string, setup: () => { replicas: () => TenantSlots; advance: (ms: number) => void }): void {
  describe(`TenantSlots across replicas: ${name}`, () => {
    it('lets no more than the limit through when requests land on different replicas at once', async () => {
      const { replicas } = setup()
      const [a, b, c] = [replicas(), replicas(), replicas()]
      const grants = await Promise.all(Array.from({ length: 12 }, (_, i) => [a, b, c][i % 3]!.acquire(ACME, 'queries', `q${i}`, LIMIT)))
      expect(grants.filter((g) => g.taken)).toHaveLength(2)
      const taken = grants.findIndex((g) => g.taken)
      await [a, b, c][(taken + 1) % 3]!.release(ACME, 'queries', `q${taken}`)
      expect((await c.acquire(ACME, 'queries', 'late', LIMIT)).taken).toBe(true)
    })
  })
}
