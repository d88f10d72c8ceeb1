import { fireEvent, render, screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
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
    // The name opens the table's page: its columns and their profiles.
    expect(within(rows[0]!).getByRole('link', { name: 'orders' })).toHaveAttribute('href', '/tables/?name=orders')
    expect(within(rows[1]!).getByRole('link', { name: 'city people' })).toHaveAttribute('href', '/tables/?name=city%20people')
  })

  it('offers to drop a table only when the page can, naming the table it drops', () => {
    const { rerender } = render(<TablesList tables={[table('orders', 1)]} loading={false} />)
    expect(screen.queryByRole('button', { name: /Drop/ })).toBeNull()
    const onDelete = vi.fn()
    rerender(<TablesList tables={[table('orders', 1), table('people', 2)]} loading={false} onDelete={onDelete} />)
    fireEvent.click(screen.getByRole('button', { name: 'Drop people' }))
    expect(onDelete).toHaveBeenCalledWith(expect.objectContaining({ name: 'people' }))
  })
})
