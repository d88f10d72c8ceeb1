import { render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ColumnProfileBars } from './column-profile-bars'
import { ColumnProfileTable } from './column-profile-table'
import { EMPTY_NOTE as empty, ITEM as item, ORDERS, PRICE as price } from './profile-fixtures'

describe('ColumnProfileBars', () => {
  it('draws a histogram as bars sized to the largest bin, each labelled with its range and count', () => {
    render(<ColumnProfileBars profile={price} />)
    const chart = screen.getByRole('img', { name: 'Histogram of price: 2 bins' })
    const bars = [...chart.children] as HTMLElement[]
    expect(bars.map((b) => parseFloat(b.style.height))).toEqual([100, expect.closeTo((2 / 6) * 100, 3)])
    expect(bars.map((b) => b.title)).toEqual(['0 – 50: 6 rows', '50 – 100: 2 rows'])
  })

  it('lists the most frequent values with their counts and bars', () => {
    render(<ColumnProfileBars profile={item} />)
    const list = screen.getByRole('list', { name: 'Most frequent values of item' })
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['pen8', 'ink2'])
  })

  it('in its compact form, names the top values in its label', () => {
    render(<ColumnProfileBars profile={item} compact />)
    expect(screen.getByRole('img', { name: 'Most frequent values of item: pen (8), ink (2)' })).toBeInTheDocument()
  })

  it('says a column has no values rather than drawing nothing', () => {
    render(<ColumnProfileBars profile={empty} />)
    expect(screen.getByText('No values')).toBeInTheDocument()
  })
})

describe('ColumnProfileTable', () => {
  it('shows each column with its type, nulls, distinct (≈ when estimated), min and max, and says which columns have no profile', () => {
    render(<ColumnProfileTable table={ORDERS} />)
    const rows = within(screen.getByRole('table', { name: 'Columns of orders' })).getAllByRole('row').slice(1)
    expect(within(rows[0]!).getAllByRole('cell').slice(0, 6).map((c) => c.textContent)).toEqual(['price', 'double', '2 (20%)', '7', '1.5', '99'])
    expect(within(rows[1]!).getAllByRole('cell').slice(0, 6).map((c) => c.textContent)).toEqual(['item', 'string', '0', '≈ 12,000', 'ink', 'pen'])
    expect(within(rows[2]!).getAllByRole('cell').slice(2, 6).map((c) => c.textContent)).toEqual(['10 (100%)', '0', '—', '—'])
    expect(rows[3]).toHaveTextContent('Not profiled')
    expect(within(rows[0]!).getByRole('img', { name: /Histogram of price/ })).toBeInTheDocument()
  })
})
