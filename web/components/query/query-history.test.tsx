import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { QuerySummary } from '@/lib/api/client'
import { QueryHistory } from './query-history'

const now = new Date().toISOString()
const entries: QuerySummary[] = [
  { queryId: 'q_1', sql: 'SELECT count(*) FROM orders', submittedAt: now, status: 'SUCCEEDED', rowCount: 1234, elapsedMs: 850 },
  { queryId: 'q_2', sql: 'SELECT * FORM orders', submittedAt: now, status: 'FAILED', elapsedMs: 12, error: { code: 'SQL_ERROR', message: 'syntax error' } },
  { queryId: 'q_3', sql: 'SELECT * FROM big', submittedAt: now, status: 'CANCELLED' },
]

describe('QueryHistory (the server history)', () => {
  it('says there are no queries yet when the history is empty, and that it follows the user', () => {
    render(<QueryHistory entries={[]} loading={false} onPick={vi.fn()} />)
    expect(screen.getByText('No queries yet')).toBeInTheDocument()
    expect(screen.getByText(/in any browser you sign in from/)).toBeInTheDocument()
  })

  it('says it is loading, and says why it could not load', () => {
    const { rerender } = render(<QueryHistory entries={undefined} loading onPick={vi.fn()} />)
    expect(screen.getByText('Loading history…')).toBeInTheDocument()
    rerender(<QueryHistory entries={undefined} loading={false} error="The server answered 503" onPick={vi.fn()} />)
    expect(screen.getByRole('alert')).toHaveTextContent('The history could not be loaded: The server answered 503')
  })

  it('lists the queries with how each ended', () => {
    render(<QueryHistory entries={entries} loading={false} onPick={vi.fn()} />)
    const items = within(screen.getByRole('list', { name: 'Query history' })).getAllByRole('button')
    expect(items).toHaveLength(3)
    expect(items[0]).toHaveTextContent('SELECT count(*) FROM orders')
    expect(items[0]).toHaveTextContent('just now · 1,234 rows · 850 ms')
    expect(items[1]).toHaveTextContent('· failed')
    expect(items[1]).not.toHaveTextContent('rows')
    expect(items[2]).toHaveTextContent('· cancelled')
  })

  it('puts an entry back in the editor when it is clicked', async () => {
    const onPick = vi.fn()
    render(<QueryHistory entries={entries} loading={false} onPick={onPick} />)
    await userEvent.click(screen.getByRole('button', { name: /SELECT \* FORM orders/ }))
    expect(onPick).toHaveBeenCalledExactlyOnceWith(entries[1])
  })

  it('loads the next page on demand', async () => {
    const onLoadMore = vi.fn()
    render(<QueryHistory entries={entries} loading={false} more={{ onLoadMore, loading: false }} onPick={vi.fn()} />)
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }))
    expect(onLoadMore).toHaveBeenCalledTimes(1)
  })
})
