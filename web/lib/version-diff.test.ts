import { describe, expect, it } from 'vitest'
import { sameSchema, versionDiff } from './version-diff'

describe('versionDiff', () => {
  it('names the columns added, removed and retyped, and both row counts', () => {
    const diff = versionDiff(
      { columns: [{ name: 'id', type: 'bigint' }, { name: 'amount', type: 'bigint' }, { name: 'note', type: 'string' }], rowCount: 3 },
      { columns: [{ name: 'ID', type: 'bigint' }, { name: 'amount', type: 'double' }, { name: 'item', type: 'string' }], rowCount: 1 },
    )
    expect(diff).toEqual({
      added: [{ name: 'item', type: 'string' }],
      removed: [{ name: 'note', type: 'string' }],
      retyped: [{ name: 'amount', from: 'bigint', to: 'double' }],
      rows: { from: 3, to: 1 },
    })
    expect(sameSchema(diff)).toBe(false)
  })

  it('says when only the rows changed', () => {
    const columns = [{ name: 'id', type: 'bigint' }]
    expect(sameSchema(versionDiff({ columns, rowCount: 2 }, { columns, rowCount: 5 }))).toBe(true)
  })
})
