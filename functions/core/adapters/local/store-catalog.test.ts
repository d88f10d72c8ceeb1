import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TableEntry } from '../../ports/catalog.ts'
import { tenantId } from '../../tenant.ts'
import { DiskObjectStore } from './disk-object-store.ts'
import { StoreCatalog } from './store-catalog.ts'

let root: string
let catalog: StoreCatalog
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'csvlake-catalog-'))
  catalog = new StoreCatalog(new DiskObjectStore(root))
})
afterEach(() => rm(root, { recursive: true, force: true }))

const t = tenantId('t1')
const entry = (rows: number): TableEntry => ({
  tenant: t,
  name: 'sales',
  columns: [{ name: 'n', type: 'bigint' }],
  location: 'lake/t1/sales/',
  format: 'parquet',
  parts: [],
  rowCount: rows,
  sources: [],
  createdAt: 'x',
  updatedAt: 'x',
})

describe('StoreCatalog', () => {
  it('serialises concurrent read-modify-writes of one table, so no change is lost', async () => {
    await catalog.put(entry(0))
    const slowIncrement = (e: TableEntry | undefined) =>
      new Promise<TableEntry>((resolve) => setTimeout(() => resolve({ ...e!, rowCount: e!.rowCount + 1 }), 5))
    await Promise.all(Array.from({ length: 10 }, () => catalog.update(t, 'sales', slowIncrement)))
    expect((await catalog.get(t, 'sales'))?.rowCount).toBe(10)
  })

  it('sees a change another process made, though it keeps the list between changes', async () => {
    const store = new DiskObjectStore(root)
    const version = (prefix: string) => store.version(prefix)
    const reader = new StoreCatalog(store, version)
    const writer = new StoreCatalog(store, version)
    await writer.put(entry(1))
    await new Promise((r) => setTimeout(r, 150))
    expect((await reader.list(t)).map((e) => e.rowCount)).toEqual([1])
    expect((await reader.list(t)).map((e) => e.rowCount)).toEqual([1])
    await writer.put({ ...entry(2), name: 'more' })
    expect((await reader.list(t)).map((e) => e.name)).toEqual(['more', 'sales'])
    await writer.update(t, 'sales', (e) => ({ ...e!, rowCount: 5 }))
    expect((await reader.list(t)).find((e) => e.name === 'sales')?.rowCount).toBe(5)
  })

  it('keeps the entry as it was when a change throws', async () => {
    await catalog.put(entry(3))
    await expect(catalog.update(t, 'sales', () => Promise.reject(new Error('schema drift')))).rejects.toThrow('schema drift')
    expect((await catalog.get(t, 'sales'))?.rowCount).toBe(3)
  })

  it('lists only the tenant’s own tables, and delete says whether there was one', async () => {
    await catalog.put(entry(1))
    await catalog.put({ ...entry(2), tenant: tenantId('t2') })
    expect((await catalog.list(t)).map((e) => e.rowCount)).toEqual([1])
    expect(await catalog.delete(t, 'sales')).toBe(true)
    expect(await catalog.delete(t, 'sales')).toBe(false)
    expect(await catalog.list(t)).toEqual([])
  })
})
