import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerTable } from '../../ingest/register-table.ts'
import type { TableEntry, TablePart } from '../../ports/catalog.ts'
import type { IngestInput } from '../../ports/workflow.ts'
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

  it('seen from two replicas over one folder, loses no append registered by either', async () => {
    const replicas = [new StoreCatalog(new DiskObjectStore(root)), new StoreCatalog(new DiskObjectStore(root))]
    await replicas[0]!.put({ ...entry(0), parts: [] })
    await Promise.all(
      replicas.flatMap((replica, r) =>
        Array.from({ length: 10 }, (_, i) => {
          const jobId = `j${r}-${i}`
          return replica.update(t, 'sales', (existing) => registerTable(existing, ingest('append', jobId), existing!.columns, part(jobId), new Date()).entry)
        }),
      ),
    )
    const final = await catalog.get(t, 'sales')
    expect(final?.parts).toHaveLength(20)
    expect(final?.rowCount).toBe(20)
  })

  it('drops the parts the written replace saw, when a change runs again (as the RegisterTable task keeps them)', async () => {
    const other = new StoreCatalog(new DiskObjectStore(root))
    await catalog.put({ ...entry(1), parts: [part('j0')] })
    // As local-ingest-tasks' RegisterTable does: dropParts is set by each run, used after update.
    let dropParts: TablePart[] = []
    let runs = 0
    await catalog.update(t, 'sales', async (existing) => {
      if (++runs === 1) await other.update(t, 'sales', (e) => registerTable(e, ingest('append', 'j1'), e!.columns, part('j1'), new Date()).entry)
      // Keeping one version only, so the replace has parts to drop.
      const registration = registerTable(existing, ingest('replace', 'j2'), existing!.columns, part('j2'), new Date(), { days: 30, max: 1 })
      dropParts = registration.dropParts
      return registration.entry
    })
    expect(runs).toBe(2)
    expect(dropParts.map((p) => p.jobId)).toEqual(['j0', 'j1'])
    expect((await catalog.get(t, 'sales'))?.parts.map((p) => p.jobId)).toEqual(['j2'])
  })
})

const part = (jobId: string): TablePart => ({ key: `lake/t1/sales/${jobId}/data.parquet`, rows: 1, jobId, fileId: 'f1' })
const ingest = (mode: IngestInput['mode'], jobId: string): IngestInput => ({
  jobId,
  tenant: t,
  fileId: 'f1',
  fileName: 'sales.csv',
  table: 'sales',
  mode,
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['n'] },
})
