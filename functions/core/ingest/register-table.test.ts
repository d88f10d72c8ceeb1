import { describe, expect, it } from 'vitest'
import type { Column, TableEntry } from '../ports/catalog.ts'
import type { IngestInput } from '../ports/workflow.ts'
import { tenantId } from '../tenant.ts'
import { registerTable } from './register-table.ts'
import { schemaDifferences } from '@csvlake/shared/schema-diff'

const tenant = tenantId('t1')
const cols: Column[] = [
  { name: 'id', type: 'bigint' },
  { name: 'price', type: 'double' },
]
const input = (mode: IngestInput['mode'], jobId = 'j2'): IngestInput => ({
  jobId,
  tenant,
  fileId: 'f1',
  fileName: 'p.csv',
  table: 'p',
  mode,
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id', 'price'] },
})
const part = (jobId: string, rows: number) => ({ key: `lake/t1/p/${jobId}/data.parquet`, rows, jobId, fileId: 'f1' })
const existing: TableEntry = {
  tenant,
  name: 'p',
  columns: cols,
  location: 'lake/t1/p/',
  format: 'parquet',
  parts: [part('j1', 10)],
  rowCount: 10,
  sources: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}
const now = new Date('2026-02-02T00:00:00.000Z')

describe('registerTable', () => {
  it('creates a new table from one part', () => {
    const { entry, dropParts } = registerTable(undefined, input('create'), cols, part('j2', 5), now)
    expect(entry).toMatchObject({ name: 'p', rowCount: 5, parts: [part('j2', 5)], createdAt: now.toISOString() })
    expect(dropParts).toEqual([])
  })

  it('refuses to create over an existing table', () => {
    expect(() => registerTable(existing, input('create'), cols, part('j2', 5), now)).toThrow(/already exists/)
  })

  it('appends a part and sums the row count', () => {
    const { entry } = registerTable(existing, input('append'), cols, part('j2', 5), now)
    expect(entry.rowCount).toBe(15)
    expect(entry.parts.map((p) => p.jobId)).toEqual(['j1', 'j2'])
    expect(entry.createdAt).toBe(existing.createdAt)
  })

  it('replaces every part, keeping the creation time; the old parts stay while a kept version reads them', () => {
    const { entry, dropParts } = registerTable(existing, input('replace'), cols, part('j2', 3), now)
    expect(entry.parts).toEqual([part('j2', 3)])
    expect(entry.rowCount).toBe(3)
    expect(entry.createdAt).toBe(existing.createdAt)
    expect(entry.keptParts).toEqual(existing.parts)
    expect(dropParts).toEqual([])
    expect(entry.versions?.map((v) => [v.version, v.operation, v.rowsAdded, v.rowsRemoved, v.rowCount])).toEqual([
      [1, 'create', 10, 0, 10],
      [2, 'replace', 3, 10, 3],
    ])
  })

  it('hands back the replaced parts to delete once no kept version reads them', () => {
    const { entry, dropParts } = registerTable(existing, input('replace'), cols, part('j2', 3), now, { days: 30, max: 1 })
    expect(dropParts).toEqual(existing.parts)
    expect(entry.keptParts).toEqual([])
    expect(entry.versions?.map((v) => v.version)).toEqual([2])
  })
})

describe('schemaDifferences', () => {
  it('accepts the same columns, and types that widen into the table', () => {
    expect(schemaDifferences(cols, cols)).toEqual([])
    expect(schemaDifferences(cols, [{ name: 'ID', type: 'bigint' }, { name: 'price', type: 'bigint' }])).toEqual([])
  })

  it('accepts a decimal that fits the table\'s: no more digits before or after the point', () => {
    const amount = (type: string) => [{ name: 'amount', type }]
    expect(schemaDifferences(amount('decimal(6,2)'), amount('decimal(5,2)'))).toEqual([])
    expect(schemaDifferences(amount('decimal(6,2)'), amount('decimal(5,1)'))).toEqual([])
    expect(schemaDifferences(amount('double'), amount('decimal(5,1)'))).toEqual([])
    expect(schemaDifferences(amount('string'), amount('decimal(5,1)'))).toEqual([])
    // Whole numbers: the load converts them to the table's decimal, refusing any that do not fit.
    expect(schemaDifferences(amount('decimal(6,2)'), amount('bigint'))).toEqual([])
    expect(schemaDifferences(amount('bigint'), amount('decimal(6,2)'))).toEqual(['column amount is bigint in the table but decimal(6,2) in the file'])
    expect(schemaDifferences(amount('decimal(6,2)'), amount('decimal(7,2)'))).toEqual(['column amount is decimal(6,2) in the table but decimal(7,2) in the file'])
    expect(schemaDifferences(amount('decimal(6,2)'), amount('decimal(6,3)'))).toEqual(['column amount is decimal(6,2) in the table but decimal(6,3) in the file'])
  })

  it('names missing, new and reordered columns, and types that do not fit', () => {
    expect(schemaDifferences(cols, [{ name: 'id', type: 'bigint' }])).toEqual(['the file lacks column(s) price'])
    expect(schemaDifferences(cols, [...cols, { name: 'qty', type: 'bigint' }])).toEqual(['the file has new column(s) qty'])
    expect(schemaDifferences(cols, [cols[1]!, cols[0]!])[0]).toMatch(/another order/)
    expect(schemaDifferences(cols, [{ name: 'id', type: 'string' }, cols[1]!])).toEqual(['column id is bigint in the table but string in the file'])
  })
})
