import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keys } from '../keys.ts'
import { tenantId } from '../tenant.ts'
import type { Catalog, TableEntry } from './catalog.ts'

/**
 * What every Catalog does, whatever keeps the entries: one suite, run against StoreCatalog (over
 * the disk store and over the S3-like fake), and the Glue adapter (over FakeGlue, directly and through the SDK's Glue client).
 */
export type CatalogSubject = {
  catalog: Catalog
  /** Another client over the same catalog: another process, or another replica of a function. */
  replica: () => Catalog
  close?: () => Promise<void>
}

const t = tenantId('t1')
const entry = (rows: number, name = 'sales'): TableEntry => ({
  tenant: t,
  name,
  columns: [{ name: 'n', type: 'bigint' }],
  location: `lake/t1/${name}/`,
  format: 'parquet',
  parts: [],
  rowCount: rows,
  sources: [],
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
})
/** A part where ingest writes it (`lake/{tenant}/{table}/ingest_job={jobId}/`, Athena's partition of the table). */
const part = (jobId: string) => ({ key: keys.lakePart(t, 'sales', jobId), rows: 1, jobId, fileId: `f-${jobId}` })
/** An append as registerTable makes it: one more part, the count from the parts. */
const append = (jobId: string) => (e: TableEntry | undefined): TableEntry => {
  const parts = [...(e ?? entry(0)).parts, part(jobId)]
  return { ...(e ?? entry(0)), parts, rowCount: parts.length }
}

export function catalogContract(name: string, open: () => Promise<CatalogSubject>): void {
  describe(`Catalog contract: ${name}`, () => {
    let subject: CatalogSubject
    let catalog: Catalog
    beforeEach(async () => {
      subject = await open()
      catalog = subject.catalog
    })
    afterEach(async () => {
      await subject.close?.()
    })

    it('answers undefined and an empty list for a tenant with no tables', async () => {
      expect(await catalog.get(t, 'sales')).toBeUndefined()
      expect(await catalog.list(t)).toEqual([])
    })

    it('keeps an entry as it was put, and lists the tenant’s own, by name', async () => {
      const sales = { ...entry(2, 'sales'), parts: [part('j1'), { ...part('j2'), rows: 7 }], sources: [{ fileId: 'f-j1', fileName: 'sales.csv', jobId: 'j1', mode: 'create', rows: 1, at: '2026-12-01T00:00:00.000Z' }] }
      await catalog.put(sales)
      await catalog.put(entry(1, 'alpha'))
      await catalog.put({ ...entry(9, 'other'), tenant: tenantId('t2') })
      expect(await catalog.get(t, 'sales')).toEqual(sales)
      expect((await catalog.list(t)).map((e) => [e.name, e.rowCount])).toEqual([['alpha', 1], ['sales', 2]])
      expect(await subject.replica().get(t, 'alpha')).toEqual(entry(1, 'alpha'))
    })

    it('creates with update when there is no entry, and changes the one there is', async () => {
      const seen: (TableEntry | undefined)[] = []
      await catalog.update(t, 'sales', (e) => (seen.push(e), entry(1)))
      await catalog.update(t, 'sales', (e) => (seen.push(e), { ...e!, rowCount: e!.rowCount + 1 }))
      expect(seen).toEqual([undefined, entry(1)])
      expect((await catalog.get(t, 'sales'))?.rowCount).toBe(2)
    })

    it('keeps the entry as it was when a change throws, and creates nothing', async () => {
      await catalog.put(entry(3))
      await expect(catalog.update(t, 'sales', () => Promise.reject(new Error('schema drift')))).rejects.toThrow('schema drift')
      expect((await catalog.get(t, 'sales'))?.rowCount).toBe(3)
      await expect(catalog.update(t, 'none', () => { throw new Error('no') })).rejects.toThrow('no')
      expect(await catalog.get(t, 'none')).toBeUndefined()
    })

    it('loses no change when one client updates a table many times at once', async () => {
      await catalog.put(entry(0))
      const slowIncrement = (e: TableEntry | undefined) =>
        new Promise<TableEntry>((resolve) => setTimeout(() => resolve({ ...e!, rowCount: e!.rowCount + 1 }), 5))
      await Promise.all(Array.from({ length: 10 }, () => catalog.update(t, 'sales', slowIncrement)))
      expect((await catalog.get(t, 'sales'))?.rowCount).toBe(10)
    })

    it('never loses an append when replicas append to one table at once, even to create it', async () => {
      const replicas = [catalog, subject.replica(), subject.replica()]
      await Promise.all(replicas.flatMap((c, r) => Array.from({ length: 5 }, (_, i) => c.update(t, 'sales', append(`j${r}-${i}`)))))
      const final = await catalog.get(t, 'sales')
      expect(final?.parts.map((p) => p.jobId).sort()).toEqual(replicas.flatMap((_, r) => Array.from({ length: 5 }, (_, i) => `j${r}-${i}`)).sort())
      expect(final?.rowCount).toBe(15)
    })

    it('runs change again, on the newer entry, when another replica changed the table in between', async () => {
      await catalog.put(entry(0))
      const other = subject.replica()
      const runs: number[] = []
      const result = await catalog.update(t, 'sales', async (e) => {
        runs.push(e!.parts.length)
        // The first run is overtaken: another replica appends before this change is written.
        if (runs.length === 1) await other.update(t, 'sales', append('theirs'))
        return append('mine')(e)
      })
      expect(runs).toEqual([0, 1])
      expect(result.parts.map((p) => p.jobId)).toEqual(['theirs', 'mine'])
      expect((await other.get(t, 'sales'))?.parts.map((p) => p.jobId)).toEqual(['theirs', 'mine'])
    })

    it('runs change again on no entry when another replica dropped the table in between: the entry it read is not written back, change decides on no entry', async () => {
      await catalog.put(entry(0))
      const other = subject.replica()
      const seen: (number | undefined)[] = []
      await catalog.update(t, 'sales', async (e) => {
        seen.push(e?.rowCount)
        if (seen.length === 1) expect(await other.delete(t, 'sales')).toBe(true)
        return e ? { ...e, rowCount: e.rowCount + 1 } : entry(100)
      })
      expect(seen).toEqual([0, undefined])
      expect((await other.get(t, 'sales'))?.rowCount).toBe(100)
    })

    it('says whether there was an entry to delete, and forgets it', async () => {
      await catalog.put(entry(1))
      expect(await catalog.delete(t, 'sales')).toBe(true)
      expect(await catalog.delete(t, 'sales')).toBe(false)
      expect(await catalog.get(t, 'sales')).toBeUndefined()
      expect(await catalog.list(t)).toEqual([])
      await catalog.update(t, 'sales', (e) => (expect(e).toBeUndefined(), entry(4)))
      expect((await catalog.get(t, 'sales'))?.rowCount).toBe(4)
    })
  })
}
