import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { HistoryEntry } from '@/lib/local-history'
import { QueryHistory } from './query-history'

const entries: HistoryEntry[] = [
  { sql: 'SELECT count(*) FROM orders', at: new Date().toISOString(), status: 'SUCCEEDED', rowCount: 1234, elapsedMs: 850 },
  { sql: 'SELECT * FORM orders', at: new Date().toISOString(), status: 'FAILED', elapsedMs: 12 },
  { sql: 'SELECT * FROM big', at: new Date().toISOString(), status: 'CANCELLED' },
]

describe('QueryHistory', () => {
  it('says there are no queries yet when the history is empty', () => {
    render(<QueryHistory entries={[]} onPick={vi.fn()} onClear={vi.fn()} />)
    expect(screen.getByText('No queries yet')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Clear history' })).not.toBeInTheDocument()
  })

  it('lists the queries with how each ended', () => {
    render(<QueryHistory entries={entries} onPick={vi.fn()} onClear={vi.fn()} />)
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
    render(<QueryHistory entries={entries} onPick={onPick} onClear={vi.fn()} />)
    await userEvent.click(screen.getByRole('button', { name: /SELECT \* FORM orders/ }))
    expect(onPick).toHaveBeenCalledExactlyOnceWith('SELECT * FORM orders')
  })

  it('clears the history', async () => {
    const onClear = vi.fn()
    const onPick = vi.fn()
    render(<QueryHistory entries={entries} onPick={onPick} onClear={onClear} />)
    await userEvent.click(screen.getByRole('button', { name: 'Clear history' }))
    expect(onClear).toHaveBeenCalledTimes(1)
    expect(onPick).not.toHaveBeenCalled()
  })
})
