import { afterEach, describe, expect, it } from 'vitest'
import { tenantId, type TenantId } from '../../tenant.ts'
import { SandboxPool } from './duckdb-sandbox-pool.ts'

class FakeSandbox {
  closed = false
  alive = true
  constructor(readonly tenant: TenantId) {}
  close() {
    this.closed = true
  }
}

const [A, B, C] = ['a', 'b', 'c'].map(tenantId) as [TenantId, TenantId, TenantId]
let pools: SandboxPool<FakeSandbox>[] = []
afterEach(async () => {
  for (const p of pools) await p.close()
  pools = []
})

function pool(maxInstances: number, idleMs = 60_000) {
  const opened: FakeSandbox[] = []
  let time = 0
  const p = new SandboxPool(
    async (t) => {
      const s = new FakeSandbox(t)
      opened.push(s)
      return s
    },
    { maxInstances, idleMs },
    () => ++time,
  )
  pools.push(p)
  return { p, opened }
}

describe('SandboxPool', () => {
  it('opens a new sandbox for a tenant whose sandbox went away (killed or crashed)', async () => {
    const { p, opened } = pool(2)
    const first = await p.acquire(A)
    first.sandbox.alive = false
    const second = await p.acquire(A)
    expect(second.sandbox).not.toBe(first.sandbox)
    expect(opened).toHaveLength(2)
    first.release()
    second.release()
    expect((await p.acquire(A)).sandbox).toBe(second.sandbox)
    expect(p.size).toBe(1)
  })

  it('opens one sandbox per tenant and reuses it', async () => {
    const { p, opened } = pool(2)
    const first = await p.acquire(A)
    const second = await p.acquire(A)
    expect(second.sandbox).toBe(first.sandbox)
    expect(opened).toHaveLength(1)
    first.release()
    second.release()
  })

  it('closes the sandbox idle the longest to make room', async () => {
    const { p, opened } = pool(2)
    ;(await p.acquire(A)).release()
    ;(await p.acquire(B)).release()
    ;(await p.acquire(A)).release()
    const c = await p.acquire(C)
    expect(opened.map((s) => [s.tenant, s.closed])).toEqual([[A, false], [B, true], [C, false]])
    expect(p.size).toBe(2)
    c.release()
  })

  it('never closes a sandbox in use, and asks a new tenant to retry when all are', async () => {
    const { p, opened } = pool(1)
    const a = await p.acquire(A)
    await expect(p.acquire(B)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
    expect(opened[0]?.closed).toBe(false)
    a.release()
    a.release() // twice is harmless
    const b = await p.acquire(B)
    expect(opened.map((s) => s.closed)).toEqual([true, false])
    b.release()
  })

  it('closes a sandbox left idle', async () => {
    const { p, opened } = pool(2, 20)
    ;(await p.acquire(A)).release()
    await new Promise((r) => setTimeout(r, 60))
    expect(opened[0]?.closed).toBe(true)
    expect(p.size).toBe(0)
  })

  it('forgets a sandbox that failed to open', async () => {
    let fail = true
    const p = new SandboxPool(
      async (t) => {
        if (fail) throw new Error('no memory')
        return new FakeSandbox(t)
      },
      { maxInstances: 1, idleMs: 60_000 },
    )
    pools.push(p)
    await expect(p.acquire(A)).rejects.toThrow('no memory')
    fail = false
    const lease = await p.acquire(B)
    expect(lease.sandbox.tenant).toBe(B)
    lease.release()
  })

  it('closes everything on close and opens nothing after', async () => {
    const { p, opened } = pool(2)
    await p.acquire(A)
    await p.close()
    expect(opened[0]?.closed).toBe(true)
    await expect(p.acquire(B)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
