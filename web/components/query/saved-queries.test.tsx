import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type Api, type SavedQuery } from '@/lib/api/client'
import { SavedQueries } from './saved-queries'

const at = '2026-12-02T10:00:00.000Z'

/** An API whose saved queries live in memory, as the server keeps them. */
function fakeApi(initial: SavedQuery[] = []) {
  let saved = [...initial]
  let n = 0
  const api = {
    savedQueries: vi.fn(async () => ({ savedQueries: [...saved] })),
    saveQuery: vi.fn(async (body: { name: string; sql: string }) => {
      if (body.name.trim() === 'taken') throw new ApiError(409, 'CONFLICT', 'You have 1,000 saved queries, the most one tenant keeps; delete some you no longer need first.')
      const created = { savedQueryId: `s_${++n}`, name: body.name.trim(), sql: body.sql, createdAt: at, updatedAt: at }
      saved = [created, ...saved]
      return created
    }),
    updateSavedQuery: vi.fn(async (id: string, change: { name?: string }) => {
      saved = saved.map((s) => (s.savedQueryId === id ? { ...s, ...change } : s))
      return saved.find((s) => s.savedQueryId === id)!
    }),
    deleteSavedQuery: vi.fn(async (id: string) => {
      saved = saved.filter((s) => s.savedQueryId !== id)
      return { deleted: id }
    }),
  }
  return api as unknown as Api & typeof api
}

const one: SavedQuery = { savedQueryId: 's_a', name: 'Cities', sql: 'SELECT city FROM people', description: 'For the report', createdAt: at, updatedAt: at }

describe('SavedQueries', () => {
  it('says there are none yet, and saves the SQL in the editor under a name', async () => {
    const api = fakeApi()
    render(<SavedQueries api={api} sql="SELECT 1" onOpen={vi.fn()} />)
    expect(await screen.findByText('No saved queries')).toBeInTheDocument()
    const save = screen.getByRole('button', { name: 'Save query' })
    expect(save).toBeDisabled()
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Answer')
    await userEvent.click(save)
    expect(api.saveQuery).toHaveBeenCalledExactlyOnceWith({ name: 'Answer', sql: 'SELECT 1' })
    expect(await within(await screen.findByRole('list', { name: 'Saved queries' })).findByText('Answer')).toBeInTheDocument()
    expect(screen.getByRole('textbox', { name: 'Name' })).toHaveValue('')
  })

  it('saves the chart shown with the query', async () => {
    const api = fakeApi()
    render(<SavedQueries api={api} sql="SELECT city, n FROM t" chart={{ kind: 'bar', x: 'city', y: ['n'] }} onOpen={vi.fn()} />)
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Chart')
    await userEvent.click(screen.getByRole('button', { name: 'Save query' }))
    expect(api.saveQuery).toHaveBeenCalledExactlyOnceWith({ name: 'Chart', sql: 'SELECT city, n FROM t', chart: { kind: 'bar', x: 'city', y: ['n'] } })
  })

  it('cannot save an empty editor', async () => {
    render(<SavedQueries api={fakeApi()} sql="  " onOpen={vi.fn()} />)
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'Nothing')
    expect(screen.getByRole('button', { name: 'Save query' })).toBeDisabled()
  })

  it("shows the server's refusal in words", async () => {
    render(<SavedQueries api={fakeApi()} sql="SELECT 1" onOpen={vi.fn()} />)
    await userEvent.type(screen.getByRole('textbox', { name: 'Name' }), 'taken')
    await userEvent.click(screen.getByRole('button', { name: 'Save query' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('delete some you no longer need first')
  })

  it('opens a saved query, showing its description', async () => {
    const onOpen = vi.fn()
    render(<SavedQueries api={fakeApi([one])} sql="" onOpen={onOpen} />)
    const item = await screen.findByRole('button', { name: /^Cities/ })
    expect(item).toHaveTextContent('For the report')
    await userEvent.click(item)
    expect(onOpen).toHaveBeenCalledExactlyOnceWith(one)
  })

  it('renames in place with Enter, and leaves the name with Escape', async () => {
    const api = fakeApi([one])
    render(<SavedQueries api={api} sql="" onOpen={vi.fn()} />)
    await userEvent.click(await screen.findByRole('button', { name: 'Rename Cities' }))
    const input = screen.getByRole('textbox', { name: 'New name for Cities' })
    await userEvent.clear(input)
    await userEvent.type(input, 'Towns{Enter}')
    expect(api.updateSavedQuery).toHaveBeenCalledExactlyOnceWith('s_a', { name: 'Towns' })
    expect(await screen.findByRole('button', { name: /^Towns/ })).toBeInTheDocument()

    await userEvent.click(screen.getByRole('button', { name: 'Rename Towns' }))
    await userEvent.type(screen.getByRole('textbox', { name: 'New name for Towns' }), 'x{Escape}')
    expect(api.updateSavedQuery).toHaveBeenCalledTimes(1)
  })

  it('deletes only after asking', async () => {
    const api = fakeApi([one])
    render(<SavedQueries api={api} sql="" onOpen={vi.fn()} />)
    await userEvent.click(await screen.findByRole('button', { name: 'Delete Cities' }))
    expect(await screen.findByRole('dialog')).toHaveTextContent('Delete “Cities”?')
    await userEvent.click(screen.getByRole('button', { name: 'Keep it' }))
    expect(api.deleteSavedQuery).not.toHaveBeenCalled()
    await userEvent.click(screen.getByRole('button', { name: 'Delete Cities' }))
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(api.deleteSavedQuery).toHaveBeenCalledExactlyOnceWith('s_a'))
    expect(await screen.findByText('No saved queries')).toBeInTheDocument()
  })
})
