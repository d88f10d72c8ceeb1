import { describe, expect, it } from 'vitest'
import { binsFor, mergeProfiles, profileKeyOf, profileKindOf, temporalValue, numericOf, type ColumnProfile } from './column-profile.ts'

const col = (p: Partial<ColumnProfile> & Pick<ColumnProfile, 'name' | 'type'>): ColumnProfile => ({ rows: 0, nulls: 0, distinct: 0, distinctApprox: false, min: null, max: null, ...p })

describe('column profiles', () => {
  it('puts the profile file beside the part, named so Athena skips it', () => {
    expect(profileKeyOf('lake/acme/orders/ingest_job=j1/data.parquet')).toBe('lake/acme/orders/ingest_job=j1/_profile.json')
  })

  it('profiles columns by their catalog type', () => {
    expect(['bigint', 'int', 'double', 'decimal(10,2)', 'date', 'timestamp', 'boolean', 'string', 'binary'].map(profileKindOf)).toEqual([
      'number', 'number', 'number', 'number', 'date', 'timestamp', 'boolean', 'text', 'other',
    ])
  })

  it('gives integers whole-number bins (one a value for a narrow range), and anything else twenty equal bins', () => {
    expect(binsFor(1, 5, true)).toEqual({ lower: 1, upper: 6, bins: 5 })
    // Whole-number widths: 101 values in 17 bins of 6.
    expect(binsFor(0, 100, true)).toEqual({ lower: 0, upper: 102, bins: 17 })
    expect(binsFor(1, 10_000_000, true)).toEqual({ lower: 1, upper: 10_000_001, bins: 20 })
    expect(binsFor(0.5, 2.5, false)).toEqual({ lower: 0.5, upper: 2.5, bins: 20 })
    expect(binsFor(7, 7, false)).toEqual({ lower: 7, upper: 7, bins: 1 })
  })

  it('reads dates and timestamps as epoch milliseconds and back', () => {
    expect(numericOf('2024-03-01', 'date')).toBe(Date.UTC(2024, 2, 1))
    expect(numericOf('2024-03-01T12:30:00.250', 'timestamp')).toBe(Date.UTC(2024, 2, 1, 12, 30, 0, 250))
    expect(temporalValue(Date.UTC(2024, 2, 1), 'date')).toBe('2024-03-01')
    expect(temporalValue(Date.UTC(2024, 2, 1, 12, 30, 0, 250), 'timestamp')).toBe('2024-03-01T12:30:00.250')
  })

  it('answers a single part as it is', () => {
    const part = [col({ name: 'id', type: 'bigint', rows: 3, distinct: 3, min: 1, max: 3, histogram: [{ lower: 1, upper: 4, count: 3 }] })]
    expect(mergeProfiles([part])).toEqual(part)
  })

  it('sums rows and nulls and takes the smallest min and largest max over parts', () => {
    const merged = mergeProfiles([
      [col({ name: 'day', type: 'date', rows: 10, nulls: 2, distinct: 8, min: '2024-01-05', max: '2024-02-01' })],
      [col({ name: 'day', type: 'date', rows: 5, nulls: 5, distinct: 0 })],
      [col({ name: 'day', type: 'date', rows: 4, nulls: 1, distinct: 3, min: '2023-12-31', max: '2024-01-10' })],
    ])
    expect(merged).toEqual([expect.objectContaining({ name: 'day', rows: 19, nulls: 8, min: '2023-12-31', max: '2024-02-01' })])
  })

  it('sums distinct counts of nearly unique columns (ids), bounded by the non-null rows', () => {
    const merged = mergeProfiles([
      [col({ name: 'id', type: 'bigint', rows: 1000, distinct: 1000, min: 1, max: 1000 })],
      [col({ name: 'id', type: 'bigint', rows: 1000, distinct: 1010, min: 1001, max: 2000 })],
    ])
    expect(merged[0]).toMatchObject({ distinct: 2000, distinctApprox: true })
  })

  it('keeps an exact distinct count exact when only one part has values', () => {
    const merged = mergeProfiles([
      [col({ name: 'x', type: 'string', rows: 10, distinct: 4 })],
      [col({ name: 'x', type: 'string', rows: 3, nulls: 3 })],
    ])
    expect(merged[0]).toMatchObject({ distinct: 4, distinctApprox: false })
  })

  it('takes the largest distinct count of repeated values (categories), a lower bound', () => {
    const merged = mergeProfiles([
      [col({ name: 'country', type: 'string', rows: 1000, distinct: 40 })],
      [col({ name: 'country', type: 'string', rows: 500, nulls: 100, distinct: 55 })],
    ])
    expect(merged[0]!.distinct).toBe(55)
  })

  it('sums top values across parts, most frequent first, at most ten', () => {
    const top = (pairs: [string, number][]) => pairs.map(([value, count]) => ({ value, count }))
    const merged = mergeProfiles([
      [col({ name: 's', type: 'string', rows: 10, top: top([['a', 5], ['b', 3], ['c', 2]]) })],
      [col({ name: 's', type: 'string', rows: 10, top: top([['c', 6], ['b', 4]]) })],
    ])
    expect(merged[0]!.top).toEqual(top([['c', 8], ['b', 7], ['a', 5]]))
    const many = mergeProfiles([
      [col({ name: 's', type: 'string', top: top(Array.from({ length: 10 }, (_, i) => [`v${i}`, 10 + i] as [string, number])) })],
      [col({ name: 's', type: 'string', top: top([['new', 100]]) })],
    ])
    expect(many[0]!.top).toHaveLength(10)
    expect(many[0]!.top![0]).toEqual({ value: 'new', count: 100 })
    expect(many[0]!.top!.map((t) => t.value)).not.toContain('v0')
  })

  it('re-bins histograms over the combined range, spreading each bin evenly and keeping the total exact', () => {
    const bins = (lower: number, width: number, counts: number[]) => counts.map((count, i) => ({ lower: lower + i * width, upper: lower + (i + 1) * width, count }))
    const merged = mergeProfiles([
      [col({ name: 'x', type: 'double', rows: 40, distinct: 40, min: 0, max: 20, histogram: bins(0, 1, new Array(20).fill(2)) })],
      [col({ name: 'x', type: 'double', rows: 41, distinct: 41, min: 20, max: 40, histogram: bins(20, 1, [...new Array(19).fill(2), 3]) })],
    ])
    const h = merged[0]!.histogram!
    expect(h).toHaveLength(20)
    expect(h[0]).toEqual({ lower: 0, upper: 2, count: 4 })
    expect(h.at(-1)).toEqual({ lower: 38, upper: 40, count: 5 })
    expect(h.reduce((a, b) => a + b.count, 0)).toBe(81)
  })

  it('re-bins integer parts into one bin per value when the combined range is narrow', () => {
    const merged = mergeProfiles([
      [col({ name: 'n', type: 'int', rows: 3, distinct: 2, min: 1, max: 2, histogram: [{ lower: 1, upper: 2, count: 1 }, { lower: 2, upper: 3, count: 2 }] })],
      [col({ name: 'n', type: 'int', rows: 4, distinct: 1, min: 4, max: 4, histogram: [{ lower: 4, upper: 5, count: 4 }] })],
    ])
    expect(merged[0]!.histogram).toEqual([
      { lower: 1, upper: 2, count: 1 },
      { lower: 2, upper: 3, count: 2 },
      { lower: 3, upper: 4, count: 0 },
      { lower: 4, upper: 5, count: 4 },
    ])
  })

  it('keeps an all-null column with no min, max or histogram', () => {
    const merged = mergeProfiles([[col({ name: 'x', type: 'double', rows: 2, nulls: 2 })], [col({ name: 'x', type: 'double', rows: 3, nulls: 3 })]])
    expect(merged).toEqual([{ name: 'x', type: 'double', rows: 5, nulls: 5, distinct: 0, distinctApprox: false, min: null, max: null }])
  })

  it('answers nothing for no parts', () => {
    expect(mergeProfiles([])).toEqual([])
  })
})
