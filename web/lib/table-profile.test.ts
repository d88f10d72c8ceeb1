import { describe, expect, it } from 'vitest'
import { binLabel, formatBound, formatDistinct, formatNulls, formatProfileValue } from './table-profile'

describe('table profile formatting', () => {
  it('says when a distinct count is an estimate', () => {
    expect(formatDistinct({ distinct: 1234, distinctApprox: false })).toBe('1,234')
    expect(formatDistinct({ distinct: 1234, distinctApprox: true })).toBe('≈ 1,234')
  })

  it('gives nulls with their share of the rows', () => {
    expect(formatNulls({ nulls: 0, rows: 10 })).toBe('0')
    expect(formatNulls({ nulls: 1, rows: 4 })).toBe('1 (25%)')
    expect(formatNulls({ nulls: 1, rows: 3000 })).toBe('1 (<0.1%)')
  })

  it('shows min and max as a person reads them', () => {
    expect(formatProfileValue(null)).toBe('—')
    expect(formatProfileValue(1234.5)).toBe('1,234.5')
    expect(formatProfileValue('2024-01-02T03:04:05.000')).toBe('2024-01-02 03:04:05')
    expect(formatProfileValue('2024-01-02')).toBe('2024-01-02')
    expect(formatProfileValue(' ')).toBe('" "')
    expect(formatProfileValue(false)).toBe('false')
  })

  it('reads date bins from epoch milliseconds, and names an integer bin one wide by its value', () => {
    expect(formatBound(Date.UTC(2024, 0, 31), 'date')).toBe('2024-01-31')
    expect(binLabel({ lower: 3, upper: 4, count: 2 }, 'bigint')).toBe('3: 2 rows')
    expect(binLabel({ lower: 0, upper: 2.5, count: 1 }, 'double')).toBe('0 – 2.5: 1 row')
  })
})
