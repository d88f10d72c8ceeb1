import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { Table } from '@/lib/api/client'
import type { TableWithProfile } from '@/lib/table-profile'
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

  it("reads an expanded table's profile and shows each column's nulls, distinct values and bars; links to the table's page", async () => {
    const profiled: TableWithProfile = {
      ...orders,
      partial: false,
      profiledRows: 12_345,
      profile: [
        { name: 'id', type: 'bigint', rows: 12_345, nulls: 0, distinct: 12_345, distinctApprox: true, min: 1, max: 12_345, histogram: [{ lower: 1, upper: 6000, count: 6000 }, { lower: 6000, upper: 12_346, count: 6345 }] },
        { name: 'say "hi"', type: 'varchar', rows: 12_345, nulls: 45, distinct: 2, distinctApprox: false, min: 'a', max: 'b', top: [{ value: 'a', count: 12_000 }, { value: 'b', count: 300 }] },
      ],
    }
    const loadProfile = vi.fn(async () => profiled)
    render(<SchemaBrowser tables={[orders]} loading={false} onInsert={vi.fn()} loadProfile={loadProfile} />)
    expect(loadProfile).toHaveBeenCalledWith('orders')
    const id = (await screen.findByRole('img', { name: 'Histogram of id: 2 bins' })).closest('li')!
    expect(id).toHaveTextContent('0 null · ≈ 12,345 distinct')
    const hi = screen.getByRole('img', { name: /Most frequent values of say "hi": a \(12,000\)/ }).closest('li')!
    expect(hi).toHaveTextContent('45 (0.4%) null · 2 distinct')
    // A column the profile does not cover shows no figures.
    expect(screen.getByRole('button', { name: /^Order Date/ }).closest('li')!.querySelector('[data-slot="column-profile"]')).toBeNull()
    expect(screen.getByRole('link', { name: 'Open the profile of orders' })).toHaveAttribute('href', '/tables/?name=orders')
  })

  it('reads no profile of a folded table', async () => {
    const many = ['a', 'b', 'c', 'd'].map((n) => table(n, [{ name: `${n}_col`, type: 'bigint' }]))
    const loadProfile = vi.fn(async () => Promise.reject(new Error('not asked')))
    render(<SchemaBrowser tables={many} loading={false} onInsert={vi.fn()} loadProfile={loadProfile} />)
    expect(loadProfile).not.toHaveBeenCalled()
    await userEvent.click(screen.getByRole('button', { name: 'Show the columns of b' }))
    expect(loadProfile).toHaveBeenCalledExactlyOnceWith('b')
    // A failed read leaves the columns as they are.
    expect(await screen.findByRole('button', { name: /b_col/ })).toBeInTheDocument()
  })

  it('folds the columns of a table when asked', async () => {
    render(<SchemaBrowser tables={[orders]} loading={false} onInsert={vi.fn()} />)
    await userEvent.click(screen.getByRole('button', { name: 'Hide the columns of orders' }))
    expect(screen.queryByRole('button', { name: /Order Date/ })).not.toBeInTheDocument()
  })
})
