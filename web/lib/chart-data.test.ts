import { describe, expect, it } from 'vitest'
import { chartData, decodeChart, encodeChart, fitChart, MAX_SERIES, suggestChart, toNumber } from './chart-data'

const col = (name: string, type: string) => ({ name, type })

describe('suggestChart', () => {
  it('puts a date on x and draws a line of the number columns over it', () => {
    expect(suggestChart([col('city', 'varchar'), col('day', 'date'), col('n', 'bigint'), col('amount', 'decimal(10,2)')])).toEqual({ kind: 'line', x: 'day', y: ['n', 'amount'] })
  })

  it('puts a text column on x and draws bars when there is no date', () => {
    expect(suggestChart([col('city', 'varchar'), col('n', 'int')])).toEqual({ kind: 'bar', x: 'city', y: ['n'] })
  })

  it('draws a scatter of numbers against numbers, at most three on y', () => {
    expect(suggestChart([col('a', 'double'), col('b', 'int'), col('c', 'int'), col('d', 'int'), col('e', 'int')])).toEqual({ kind: 'scatter', x: 'a', y: ['b', 'c', 'd'] })
  })

  it('suggests nothing without a number to plot', () => {
    expect(suggestChart([col('city', 'varchar'), col('name', 'varchar')])).toBeUndefined()
    expect(suggestChart([col('n', 'int')])).toBeUndefined()
  })
})

describe('fitChart', () => {
  it('keeps the settings that still fit the columns, dropping what is gone', () => {
    const columns = [col('city', 'varchar'), col('n', 'int')]
    expect(fitChart({ kind: 'area', x: 'city', y: ['n', 'gone'], series: 'gone' }, columns)).toEqual({ kind: 'area', x: 'city', y: ['n'] })
  })

  it('falls back to a suggestion when x or every y is gone', () => {
    const columns = [col('city', 'varchar'), col('n', 'int')]
    expect(fitChart({ kind: 'line', x: 'day', y: ['n'] }, columns)).toEqual({ kind: 'bar', x: 'city', y: ['n'] })
  })
})

describe('chartData', () => {
  const columns = [col('city', 'varchar'), col('year', 'int'), col('n', 'bigint')]
  const rows = [
    ['Oslo', 2024, '10'],
    ['Oslo', 2025, '12'],
    ['Lima', 2024, '7'],
    ['Lima', 2025, null],
  ]

  it('makes one point per row, each y column a series, big integers read as numbers and NULL a gap', () => {
    const data = chartData(columns, rows, { kind: 'bar', x: 'city', y: ['n'] })
    expect(data.series).toEqual([{ key: 'n', label: 'n' }])
    expect(data.points).toEqual([
      { x: 'Oslo', n: 10 },
      { x: 'Oslo', n: 12 },
      { x: 'Lima', n: 7 },
      { x: 'Lima', n: null },
    ])
  })

  it('splits by a series column: one point per x value, one series per value, in order of appearance', () => {
    const data = chartData(columns, rows, { kind: 'line', x: 'year', y: ['n'], series: 'city' })
    expect(data.series.map((s) => s.key)).toEqual(['Oslo', 'Lima'])
    expect(data.points).toEqual([
      { x: '2024', Oslo: 10, Lima: 7 },
      { x: '2025', Oslo: 12, Lima: null },
    ])
  })

  it('draws at most MAX_SERIES series and counts the rest', () => {
    const many = Array.from({ length: MAX_SERIES + 3 }, (_, i) => [`c${i}`, 2024, i])
    const data = chartData(columns, many, { kind: 'bar', x: 'year', y: ['n'], series: 'city' })
    expect(data.series).toHaveLength(MAX_SERIES)
    expect(data.droppedSeries).toBe(3)
  })

  it('keeps numbers on x for a scatter', () => {
    const data = chartData([col('a', 'double'), col('b', 'int')], [[1.5, 2], ['2.5', 3]], { kind: 'scatter', x: 'a', y: ['b'] })
    expect(data.points).toEqual([
      { x: 1.5, b: 2 },
      { x: 2.5, b: 3 },
    ])
  })
})

describe('toNumber', () => {
  it('reads numbers, numeric strings and booleans; anything else is a gap', () => {
    expect([toNumber(3), toNumber('12345678901234567890'), toNumber('1.25'), toNumber(true), toNumber('x'), toNumber(''), toNumber(null), toNumber(Number.NaN)]).toEqual([
      3, 12345678901234567000, 1.25, 1, null, null, null, null,
    ])
  })
})

describe('the chart in a shared link', () => {
  it('reads back what it wrote', () => {
    const chart = { kind: 'bar' as const, x: 'city', y: ['n'], series: 'year' }
    expect(decodeChart(encodeChart(chart))).toEqual(chart)
  })

  it('ignores a value that is not a chart', () => {
    for (const bad of [null, '', 'bar', '{"kind":"pie","x":"a","y":["b"]}', '{"kind":"bar","x":1,"y":["b"]}', '{"kind":"bar","x":"a","y":"b"}']) {
      expect(decodeChart(bad), String(bad)).toBeUndefined()
    }
  })
})
