import { describe, expect, it } from 'vitest'
import { TableName, tableNameFromFile } from './table-name.ts'

describe('tableNameFromFile', () => {
  it.each([
    ['City People.csv', 'city_people'],
    ['2024 sales (final).CSV.gz', 't_2024_sales_final'],
    ['data.tsv', 'data'],
    ['Trips 2024.parquet', 'trips_2024'],
    ['notes.TXT', 'notes'],
    ['dump.gz', 'dump'],
    ['report.xlsx', 'report_xlsx'],
    ['__Weird---Name__.csv', 'weird_name'],
    ['Café Zürich.csv', 'cafe_zurich'],
    ['C:\\fakepath\\Sales.csv', 'sales'],
    ['---.csv', 'table_1'],
    ['order.csv', 'order_table'],
  ])('turns %j into %j', (file, name) => {
    expect(tableNameFromFile(file)).toBe(name)
  })

  it('keeps names to 64 characters without a trailing _', () => {
    const name = tableNameFromFile(`${'a'.repeat(63)} b.csv`)
    expect(name).toBe('a'.repeat(63))
    expect(tableNameFromFile(`${'x'.repeat(100)}.csv`)).toHaveLength(64)
  })

  it('always suggests a name TableName accepts', () => {
    const files = ['City People.csv', '2024.csv', '.csv', 'select.csv', '日本語.csv', `${'9'.repeat(80)}.csv`, 'a b c.txt.gz']
    for (const file of files) expect(TableName.safeParse(tableNameFromFile(file)).success, file).toBe(true)
  })
})

describe('TableName', () => {
  it.each(['city_people', '_staging', 'a', `t${'1'.repeat(63)}`])('accepts %j', (name) => {
    expect(TableName.safeParse(name).success).toBe(true)
  })

  it.each(['City', '1abc', 'has-dash', '', `a${'b'.repeat(64)}`])('refuses %j with an actionable message', (name) => {
    const result = TableName.safeParse(name)
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toMatch(/lower-case letters, digits and _/)
  })

  it.each(['select', 'from', 'order', 'table', 'group'])('refuses the SQL keyword %j', (name) => {
    const result = TableName.safeParse(name)
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toMatch(/SQL keyword/)
  })
})
