import { describe, expect, it } from 'vitest'
import type { Column, TableEntry } from '../ports/catalog.ts'
import type { IngestInput } from '../ports/workflow.ts'
import { tenantId } from '../tenant.ts'
import { registerTable } from './register-table.ts'
import { historyOf, partsOf, rollbackTable, versionAt, versionOf, type VersionRetention } from './table-versions.ts'

const tenant = tenantId('t1')
const v1cols: Column[] = [{ name: 'id', type: 'bigint' }]
const v3cols: Column[] = [{ name: 'id', type: 'bigint' }, { name: 'note', type: 'string' }]
const input = (mode: IngestInput['mode'], jobId: string): IngestInput => ({
  jobId,
  tenant,
  fileId: `f-${jobId}`,
  fileName: `${jobId}.csv`,
  table: 'orders',
  mode,
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id'] },
})
const part = (jobId: string, rows: number) => ({ key: `lake/t1/orders/ingest_job=${jobId}/data.parquet`, rows, jobId, fileId: `f-${jobId}` })
const day = (n: number) => new Date(Date.UTC(2026, 0, n))
const keepAll: VersionRetention = { days: 365, max: 100 }

/** create (10 rows) on day 1, append (5) on day 2, replace (3, a new column) on day 3. */
function threeLoads(retention = keepAll): { entry: TableEntry; dropped: string[] } {
  const dropped: string[] = []
  let entry: TableEntry | undefined
  const load = (mode: IngestInput['mode'], jobId: string, rows: number, cols: Column[], at: Date) => {
    const r = registerTable(entry, input(mode, jobId), cols, part(jobId, rows), at, retention)
    dropped.push(...r.dropParts.map((p) => p.jobId))
    entry = r.entry
  }
  load('create', 'j1', 10, v1cols, day(1))
  load('append', 'j2', 5, v1cols, day(2))
  load('replace', 'j3', 3, v3cols, day(3))
  return { entry: entry!, dropped }
}

describe('table versions', () => {
  it('makes a version of every load: who loaded which file, in which mode, the rows added and removed, the schema', () => {
    const { entry, dropped } = threeLoads()
    expect(historyOf(entry).map(({ version, operation, fileName, rowsAdded, rowsRemoved, rowCount, parts }) => ({ version, operation, fileName, rowsAdded, rowsRemoved, rowCount, parts }))).toEqual([
      { version: 1, operation: 'create', fileName: 'j1.csv', rowsAdded: 10, rowsRemoved: 0, rowCount: 10, parts: ['j1'] },
      { version: 2, operation: 'append', fileName: 'j2.csv', rowsAdded: 5, rowsRemoved: 0, rowCount: 15, parts: ['j1', 'j2'] },
      { version: 3, operation: 'replace', fileName: 'j3.csv', rowsAdded: 3, rowsRemoved: 15, rowCount: 3, parts: ['j3'] },
    ])
    expect(versionOf(entry, 1).columns).toEqual(v1cols)
    expect(versionOf(entry, 3).columns).toEqual(v3cols)
    expect(historyOf(entry)[0]!.at).toBe(day(1).toISOString())
    // The replaced parts are still there for versions 1 and 2.
    expect(dropped).toEqual([])
    expect(partsOf(entry, versionOf(entry, 2)).map((p) => p.rows)).toEqual([10, 5])
  })

  it('rolls back as a new version that reads the old parts with the old schema, deleting nothing', () => {
    const { entry } = threeLoads()
    const { entry: after, dropParts } = rollbackTable(entry, 1, day(4), keepAll)
    expect(dropParts).toEqual([])
    expect(after.parts).toEqual([part('j1', 10)])
    expect(after.columns).toEqual(v1cols)
    expect(after.rowCount).toBe(10)
    expect(historyOf(after).at(-1)).toMatchObject({ version: 4, operation: 'rollback', rolledBackTo: 1, rowsAdded: 10, rowsRemoved: 3, rowCount: 10 })
    // Version 3's part is kept: a rollback can be undone.
    expect(partsOf(after, versionOf(after, 3))).toEqual([part('j3', 3)])
    expect(rollbackTable(after, 3, day(5), keepAll).entry.parts).toEqual([part('j3', 3)])
  })

  it('refuses to roll back to the current version or to one not kept, saying which versions there are', () => {
    const { entry } = threeLoads()
    expect(() => rollbackTable(entry, 3, day(4), keepAll)).toThrow(/already the current version/)
    expect(() => rollbackTable(entry, 9, day(4), keepAll)).toThrow('orders has no version 9; its kept versions are 1 to 3.')
  })

  it('finds the version current at a time, and says when the kept history starts', () => {
    const { entry } = threeLoads()
    expect(versionAt(entry, new Date(Date.UTC(2026, 0, 2, 12))).version).toBe(2)
    expect(versionAt(entry, day(3)).version).toBe(3)
    expect(() => versionAt(entry, new Date(Date.UTC(2025, 11, 31)))).toThrow(/oldest kept version, 1, was made at 2026-01-01/)
  })

  it('drops versions out of date for longer than the retention, and the parts only they read, never a part a kept version reads', () => {
    // Kept 1.5 days: at the replace (day 3), version 1 has been out of date since day 2 (1 day), so it stays.
    const { entry, dropped } = threeLoads({ days: 1.5, max: 100 })
    expect(historyOf(entry).map((v) => v.version)).toEqual([1, 2, 3])
    expect(dropped).toEqual([])
    // A day later, the next load drops version 1 (out of date 2 days) but j1 stays: version 2 reads it.
    const later = registerTable(entry, input('append', 'j4'), v3cols, part('j4', 1), day(4), { days: 1.5, max: 100 })
    expect(historyOf(later.entry).map((v) => v.version)).toEqual([2, 3, 4])
    expect(later.dropParts).toEqual([])
    // Two days on, version 2 goes too, and with it j1 and j2, which no kept version reads.
    const again = registerTable(later.entry, input('append', 'j5'), v3cols, part('j5', 1), day(6), { days: 1.5, max: 100 })
    expect(historyOf(again.entry).map((v) => v.version)).toEqual([4, 5])
    expect(again.dropParts.map((p) => p.jobId).sort()).toEqual(['j1', 'j2'])
    expect(again.entry.keptParts).toEqual([])
  })

  it('keeps at most `max` versions, whatever their age', () => {
    const { entry, dropped } = threeLoads({ days: 365, max: 2 })
    expect(historyOf(entry).map((v) => v.version)).toEqual([2, 3])
    expect(dropped).toEqual([])
    expect(entry.keptParts?.map((p) => p.jobId)).toEqual(['j1', 'j2'])
  })

  it('reads an entry written before versions were kept as its one version', () => {
    const legacy: TableEntry = {
      tenant,
      name: 'orders',
      columns: v1cols,
      location: 'lake/t1/orders/',
      format: 'parquet',
      parts: [part('j1', 10)],
      rowCount: 10,
      sources: [{ fileId: 'f-j1', fileName: 'j1.csv', jobId: 'j1', mode: 'create', rows: 10, at: day(1).toISOString() }],
      createdAt: day(1).toISOString(),
      updatedAt: day(1).toISOString(),
    }
    expect(historyOf(legacy)).toMatchObject([{ version: 1, operation: 'create', fileName: 'j1.csv', rowCount: 10, parts: ['j1'] }])
    const next = registerTable(legacy, input('append', 'j2'), v1cols, part('j2', 5), day(2), keepAll)
    expect(historyOf(next.entry).map((v) => [v.version, v.rowCount])).toEqual([[1, 10], [2, 15]])
  })
})
