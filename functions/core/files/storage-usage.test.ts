import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiskObjectStore } from '../adapters/local/disk-object-store.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import { tenantId } from '../tenant.ts'
import { StorageUsage } from './storage-usage.ts'

let root: string
let store: DiskObjectStore
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'csvlake-usage-'))
  store = new DiskObjectStore(root)
})
afterEach(() => rm(root, { recursive: true, force: true }))

const t = tenantId('t')

/** The store, counting how many times each tenant's folders are measured. */
function counted(inner: ObjectStore) {
  const calls = { sizeUnder: 0 }
  const wrapped: ObjectStore = Object.create(inner)
  wrapped.sizeUnder = (prefix) => (calls.sizeUnder++, inner.sizeUnder(prefix))
  return { store: wrapped, calls }
}

describe('StorageUsage', () => {
  it("counts a tenant's uploads, tables and query results, and nothing of other tenants or records", async () => {
    await store.putBytes('raw/t/f_1/data', 'x'.repeat(100))
    await store.putBytes('lake/t/people/j_1/data.parquet', 'x'.repeat(20))
    await store.putBytes('results/t/q_1/result.json', 'x'.repeat(3))
    await store.putBytes('raw/other/f_2/data', 'x'.repeat(1000))
    await store.putBytes('jobs/t/j_1.json', 'x'.repeat(1000))
    expect(await new StorageUsage({ store, quotaBytes: undefined }).used(t)).toBe(123)
  })

  it('measures a tenant once, then keeps the figure up to date from what it is told', async () => {
    await store.putBytes('raw/t/f_1/data', 'x'.repeat(100))
    const { store: watched, calls } = counted(store)
    const usage = new StorageUsage({ store: watched, quotaBytes: 1000 })
    expect(await usage.used(t)).toBe(100)
    const measured = calls.sizeUnder
    usage.changed(t, 50)
    usage.changed(t, -30)
    expect(await usage.used(t)).toBe(120)
    const held = await usage.reserve(t, { atMost: 200 })
    held.commit(150)
    expect(await usage.used(t)).toBe(270)
    expect(calls.sizeUnder).toBe(measured)
  })

  it('holds what a reservation asks for until it is committed or released, and refuses past the quota', async () => {
    const usage = new StorageUsage({ store, quotaBytes: 1000 })
    const a = await usage.reserve(t, { atMost: 600 })
    expect(a.bytes).toBe(600)
    const b = await usage.reserve(t, { atMost: 600 })
    expect(b.bytes).toBe(400)
    await expect(usage.reserve(t)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { quotaBytes: 1000, usedBytes: 0 } })
    b.release()
    a.commit(100)
    a.release() // a second end changes nothing
    expect(await usage.used(t)).toBe(100)
    const rest = await usage.reserve(t)
    expect(rest.bytes).toBe(900)
    expect(rest.refusal().message).toMatch(/storage quota of 1000 bytes.*900 bytes is left/)
  })

  it('measures a table again after it changed, counting the difference once however often it is told', async () => {
    await store.putBytes('lake/t/people/j_1/data.parquet', 'x'.repeat(100))
    const usage = new StorageUsage({ store, quotaBytes: undefined })
    expect(await usage.used(t)).toBe(100)
    await store.putBytes('lake/t/people/j_2/data.parquet', 'x'.repeat(50))
    await store.putBytes('lake/t/sales/j_3/data.parquet', 'x'.repeat(7))
    await usage.tableChanged(t, 'people')
    await usage.tableChanged(t, 'people')
    await usage.tableChanged(t, 'sales')
    expect(await usage.used(t)).toBe(157)
    await store.deletePrefix('lake/t/people/')
    await usage.tableChanged(t, 'people')
    expect(await usage.used(t)).toBe(7)
  })

  it('measures again when a change is reported while the first measure runs', async () => {
    await store.putBytes('raw/t/f_1/data', 'x'.repeat(100))
    let usage: StorageUsage | undefined
    const slow: ObjectStore = Object.create(store)
    let once = true
    slow.sizeUnder = async (prefix) => {
      const size = await store.sizeUnder(prefix)
      if (once && prefix === 'raw/t/') {
        once = false
        // Written after the walk saw the folder, reported while the measure still runs.
        await store.putBytes('raw/t/f_2/data', 'x'.repeat(10))
        usage!.changed(t, 10)
      }
      return size
    }
    usage = new StorageUsage({ store: slow, quotaBytes: undefined })
    expect(await usage.used(t)).toBe(110)
  })

  it('after a clean shutdown, starts from the figures it saved instead of measuring again', async () => {
    await store.putBytes('raw/t/f_1/data', 'x'.repeat(100))
    const first = new StorageUsage({ store, quotaBytes: 1000 })
    await first.open()
    expect(await first.used(t)).toBe(100)
    first.changed(t, 20)
    await first.close()
    const { store: watched, calls } = counted(store)
    const second = new StorageUsage({ store: watched, quotaBytes: 1000 })
    await second.open()
    expect(await second.used(t)).toBe(120)
    expect(calls.sizeUnder).toBe(0)
  })

  it('measures again after a crash (no clean shutdown), and when a tenant changed before it was read', async () => {
    await store.putBytes('raw/t/f_1/data', 'x'.repeat(100))
    const first = new StorageUsage({ store, quotaBytes: 1000 })
    await first.open()
    expect(await first.used(t)).toBe(100)
    await first.close()
    // The next process dies without closing: its saved figures are not trusted after it.
    const crashed = new StorageUsage({ store, quotaBytes: 1000 })
    await crashed.open()
    await store.putBytes('raw/t/f_2/data', 'x'.repeat(50))
    const after = new StorageUsage({ store, quotaBytes: 1000 })
    await after.open()
    expect(await after.used(t)).toBe(150)
    await after.close()
    // A change reported before the tenant was read: the saved figure is stale, so it is measured.
    const next = new StorageUsage({ store, quotaBytes: 1000 })
    await next.open()
    await store.delete('raw/t/f_2/data')
    next.changed(t, -50)
    expect(await next.used(t)).toBe(100)
  })
})
