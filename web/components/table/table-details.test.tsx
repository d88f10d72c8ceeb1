import { render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/lib/api/client'
import { ORDERS } from './profile-fixtures'
import { TableDetails } from './table-details'

describe('TableDetails', () => {
  it("shows the table's size and its columns' profiles, with a link to query it", async () => {
    const load = vi.fn(async () => ORDERS)
    render(<TableDetails name="orders" load={load} />)
    expect(await screen.findByRole('table', { name: 'Columns of orders' })).toBeInTheDocument()
    expect(load).toHaveBeenCalledWith('orders')
    expect(screen.getByRole('heading', { name: 'orders' })).toBeInTheDocument()
    expect(screen.getByText(/10 rows · 4 columns/)).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Query' })).toHaveAttribute('href', '/query/?table=orders')
    expect(screen.queryByRole('note')).toBeNull()
  })

  it('says how much of a table the profile covers when part of it was loaded before profiles were kept', async () => {
    render(<TableDetails name="orders" load={async () => ({ ...ORDERS, rowCount: 30, partial: true, profiledRows: 10 })} />)
    expect(await screen.findByRole('note')).toHaveTextContent('the profile covers 10 of its 30 rows')
  })

  it('says there is no such table when the API answers 404, with the way back to the tables', async () => {
    render(<TableDetails name="gone" load={async () => Promise.reject(new ApiError(404, 'NOT_FOUND', 'The table gone does not exist'))} />)
    expect(await screen.findByText('No table named gone')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'See your tables' })).toHaveAttribute('href', '/')
  })

  it('shows any other failure as an alert with its message', async () => {
    render(<TableDetails name="orders" load={async () => Promise.reject(new ApiError(503, 'UNAVAILABLE', 'Glue is not answering'))} />)
    expect(await screen.findByRole('alert')).toHaveTextContent('Glue is not answering')
  })

  it('asks for a table when the page has no name', async () => {
    const load = vi.fn()
    render(<TableDetails name="" load={load} />)
    expect(await screen.findByText('No table chosen')).toBeInTheDocument()
    expect(load).not.toHaveBeenCalled()
  })
})
