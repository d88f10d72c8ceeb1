import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { Table } from '@/lib/api/client'
import { SchemaBrowser } from './schema-browser'

const table = (name: string, columns: { name: string; type: string }[], rowCount = 10): Table => ({
  name,
  columns,
  rowCount,
  location: `s3://lake/${name}/`,
  format: 'parquet',
  sources: [],
  createdAt: '2026-11-27T08:00:00.000Z',
  updatedAt: '2026-11-27T08:00:00.000Z',
})

const orders = table('orders', [
  { name: 'id', type: 'bigint' },
  { name: 'Order Date', type: 'date' },
  { name: 'say "hi"', type: 'varchar' },
], 12_345)

describe('SchemaBrowser', () => {
  it('says there are no tables yet, with a way to upload', () => {
    render(<SchemaBrowser tables={[]} loading={false} onInsert={vi.fn()} />)
    expect(screen.getByText('No tables yet')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Upload a CSV' })).toHaveAttribute('href', '/')
  })

  it('shows a placeholder while the tables load, not the empty state', () => {
    const { container } = render(<SchemaBrowser tables={undefined} loading onInsert={vi.fn()} />)
    expect(screen.queryByText('No tables yet')).not.toBeInTheDocument()
    expect(container.querySelector('[data-slot="skeleton"]')).toBeInTheDocument()
  })

  it('lists the tables with their row counts and columns with types', () => {
    render(<SchemaBrowser tables={[orders]} loading={false} onInsert={vi.fn()} />)
    const list = screen.getByRole('list', { name: 'Tables and columns' })
    expect(within(list).getByRole('button', { name: 'orders' })).toBeInTheDocument()
    expect(list).toHaveTextContent('12,345')
    expect(screen.getByRole('button', { name: /Order Date/ })).toHaveTextContent('date')
  })

  it('inserts the table name when a table is clicked', async () => {
    const onInsert = vi.fn()
    render(<SchemaBrowser tables={[orders]} loading={false} onInsert={onInsert} />)
    await userEvent.click(screen.getByRole('button', { name: 'orders' }))
    expect(onInsert).toHaveBeenCalledExactlyOnceWith('orders')
  })

  it('inserts a plain column name as it is', async () => {
    const onInsert = vi.fn()
    render(<SchemaBrowser tables={[orders]} loading={false} onInsert={onInsert} />)
    await userEvent.click(screen.getByRole('button', { name: /^id/ }))
    expect(onInsert).toHaveBeenCalledExactlyOnceWith('id')
  })

  it('inserts a column name that needs quoting in double quotes', async () => {
    const onInsert = vi.fn()
    render(<SchemaBrowser tables={[orders]} loading={false} onInsert={onInsert} />)
    await userEvent.click(screen.getByRole('button', { name: /^Order Date/ }))
    expect(onInsert).toHaveBeenLastCalledWith('"Order Date"')
    await userEvent.click(screen.getByRole('button', { name: /^say "hi"/ }))
    expect(onInsert).toHaveBeenLastCalledWith('"say ""hi"""')
  })

  it('shows the columns of up to three tables, and folds them for more', async () => {
    const many = ['a', 'b', 'c', 'd'].map((n) => table(n, [{ name: `${n}_col`, type: 'bigint' }]))
    render(<SchemaBrowser tables={many} loading={false} onInsert={vi.fn()} />)
    expect(screen.queryByRole('button', { name: /a_col/ })).not.toBeInTheDocument()
    const toggle = screen.getByRole('button', { name: 'Show the columns of a' })
    expect(toggle).toHaveAttribute('aria-expanded', 'false')
    await userEvent.click(toggle)
    expect(screen.getByRole('button', { name: /a_col/ })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Hide the columns of a' })).toHaveAttribute('aria-expanded', 'true')
    expect(screen.queryByRole('button', { name: /b_col/ })).not.toBeInTheDocument()
  })

  it('folds the columns of a table when asked', async () => {
    render(<SchemaBrowser tables={[orders]} loading={false} onInsert={vi.fn()} />)
    await userEvent.click(screen.getByRole('button', { name: 'Hide the columns of orders' }))
    expect(screen.queryByRole('button', { name: /Order Date/ })).not.toBeInTheDocument()
  })
})
