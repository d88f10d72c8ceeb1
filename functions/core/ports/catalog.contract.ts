import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keys } from '../keys.ts'
import { tenantId } from '../tenant.ts'
import type { Catalog, TableEntry } from './catalog.ts'
import type { IngestInput } from './workflow.ts'
import { registerTable } from '../ingest/register-table.ts'
import { historyOf, rollbackTable } from '../ingest/table-versions.ts'

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
const ingestInput = (mode: IngestInput['mode'], jobId: string): IngestInput => ({
  jobId,
  tenant: t,
  fileId: `f-${jobId}`,
  fileName: `${jobId}.csv`,
  table: 'sales',
  mode,
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['n'] },
})
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
      // The entry as written; an adapter fills in its history (versions, keptParts), which the next test checks.
      expect(seen.map((e) => e && { ...e, versions: undefined, keptParts: undefined })).toEqual([undefined, { ...entry(1), versions: undefined, keptParts: undefined }])
      expect((await catalog.get(t, 'sales'))?.rowCount).toBe(2)
    })

    it('keeps a version of every change: the history, rollback as a new version, and forgetting old versions', async () => {
      const keepAll = { days: 365, max: 100 }
      const load = (mode: 'create' | 'append' | 'replace', jobId: string, rows: number, columns = [{ name: 'n', type: 'bigint' }]) =>
        catalog.update(t, 'sales', (e) => registerTable(e, ingestInput(mode, jobId), columns, { ...part(jobId), rows }, new Date(), keepAll).entry)
      await load('create', 'j1', 2)
      await load('append', 'j2', 1)
      await load('replace', 'j3', 5, [{ name: 'n', type: 'bigint' }, { name: 'm', type: 'string' }])
      const read = await catalog.get(t, 'sales', { versions: true })
      const summary = (e: TableEntry | undefined) => historyOf(e!).map((v) => [v.version, v.operation, v.fileName, v.rowsAdded, v.rowsRemoved, v.rowCount, v.parts.join(','), v.columns.length])
      expect(summary(read)).toEqual([
        [1, 'create', 'j1.csv', 2, 0, 2, 'j1', 1],
        [2, 'append', 'j2.csv', 1, 0, 3, 'j1,j2', 1],
        [3, 'replace', 'j3.csv', 5, 3, 5, 'j3', 2],
      ])
      expect(read!.keptParts?.map((p) => [p.jobId, p.rows]).sort()).toEqual([['j1', 2], ['j2', 1]])
      expect(read!.parts.map((p) => [p.jobId, p.rows])).toEqual([['j3', 5]])

      // A rollback is a change like any other: version 4 reads version 1's parts with its columns.
      await catalog.update(t, 'sales', (e) => rollbackTable(e!, 1, new Date(), keepAll).entry)
      const rolled = await catalog.get(t, 'sales', { versions: true })
      expect(summary(rolled).at(-1)).toEqual([4, 'rollback', undefined, 2, 5, 2, 'j1', 1])
      expect(historyOf(rolled!).at(-1)?.rolledBackTo).toBe(1)
      expect(rolled!.columns).toEqual([{ name: 'n', type: 'bigint' }])

      // Forgetting versions 1 and 2 frees j2 (no version left reads it); j1 is version 4's, j3 version 3's.
      const dropped = await catalog.forgetVersions(t, 'sales', [1, 2])
      expect(dropped.map((p) => p.jobId)).toEqual(['j2'])
      expect(historyOf((await catalog.get(t, 'sales', { versions: true }))!).map((v) => v.version)).toEqual([3, 4])
      // A replica sees the same history.
      expect(historyOf((await subject.replica().get(t, 'sales', { versions: true }))!).map((v) => v.version)).toEqual([3, 4])
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
