import { render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { Table } from '@/lib/api/client'
import { TablesList } from './tables-list'

const table = (name: string, rowCount: number, columns = 2): Table => ({
  name,
  columns: Array.from({ length: columns }, (_, i) => ({ name: `c${i}`, type: 'varchar' })),
  rowCount,
  location: `s3://lake/${name}/`,
  format: 'parquet',
  sources: [],
  createdAt: '2026-11-27T08:00:00.000Z',
  updatedAt: new Date().toISOString(),
})

describe('TablesList', () => {
  it('shows a placeholder while the tables load', () => {
    const { container } = render(<TablesList tables={undefined} loading />)
    expect(container.querySelector('[data-slot="skeleton"]')).toBeInTheDocument()
  })

  it('says there are no tables yet', () => {
    render(<TablesList tables={[]} loading={false} />)
    expect(screen.getByText('No tables yet')).toBeInTheDocument()
  })

  it('lists each table with rows, columns and a link to query it', () => {
    render(<TablesList tables={[table('orders', 1_234_567, 5), table('city people', 3)]} loading={false} />)
    const rows = within(screen.getByRole('table', { name: 'Tables' })).getAllByRole('row').slice(1)
    expect(within(rows[0]!).getAllByRole('cell').slice(0, 4).map((c) => c.textContent)).toEqual(['orders', '1,234,567', '5', 'just now'])
    expect(within(rows[0]!).getByRole('link', { name: 'Query' })).toHaveAttribute('href', '/query/?table=orders')
    expect(within(rows[1]!).getByRole('link', { name: 'Query' })).toHaveAttribute('href', '/query/?table=city%20people')
  })
})
