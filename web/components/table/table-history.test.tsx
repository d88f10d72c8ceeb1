import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type Api, type TableHistory as History, type TableVersion } from '@/lib/api/client'
import { TableHistory } from './table-history'

const v = (version: number, rest: Partial<TableVersion>): TableVersion => ({
  version,
  at: `2026-12-0${version}T10:00:00.000Z`,
  operation: 'append',
  rowsAdded: 0,
  rowsRemoved: 0,
  rowCount: 0,
  columns: [{ name: 'id', type: 'bigint' }, { name: 'amount', type: 'bigint' }],
  current: false,
  ...rest,
})

const three: History = {
  table: 'orders',
  current: 3,
  retention: { days: 30, max: 100 },
  versions: [
    v(3, { operation: 'replace', fileName: 'new.csv', rowsAdded: 1, rowsRemoved: 3, rowCount: 1, columns: [{ name: 'id', type: 'bigint' }, { name: 'item', type: 'string' }], current: true }),
    v(2, { fileName: 'more.csv', rowsAdded: 1, rowCount: 3 }),
    v(1, { operation: 'create', fileName: 'orders.csv', rowsAdded: 2, rowCount: 2 }),
  ],
}

/** An API that keeps the history in memory and rolls back as the server does: a new version. */
function fakeApi(initial: History = three) {
  let history = initial
  const api = {
    tableVersions: vi.fn(async () => history),
    rollbackTable: vi.fn(async (_name: string, version: number) => {
      if (version === 99) throw new ApiError(404, 'NOT_FOUND', 'orders has no version 99')
      const target = history.versions.find((x) => x.version === version)!
      const next = history.current + 1
      history = {
        ...history,
        current: next,
        versions: [
          { ...target, version: next, operation: 'rollback', rolledBackTo: version, fileName: undefined, current: true },
          ...history.versions.map((x) => ({ ...x, current: false })),
        ],
      }
      return history
    }),
  }
  return api as unknown as Api & typeof api
}

describe('TableHistory', () => {
  it('shows every version as a timeline, newest first, with its rows and schema change', async () => {
    render(<TableHistory api={fakeApi()} name="orders" />)
    const list = await screen.findByRole('list', { name: 'Versions' })
    const items = within(list).getAllByRole('listitem', { name: /^Version \d+$/ })
    expect(items.map((i) => i.getAttribute('aria-label'))).toEqual(['Version 3', 'Version 2', 'Version 1'])
    const latest = within(list).getByRole('listitem', { name: 'Version 3' })
    expect(latest).toHaveTextContent('Current')
    expect(latest).toHaveTextContent('Replaced from new.csv')
    expect(latest).toHaveTextContent('+1 / −3 rows, 1 in all')
    // The replace dropped amount and added item: both named.
    const changes = within(latest).getByRole('list', { name: 'Schema changes' })
    expect(changes).toHaveTextContent('+ item')
    expect(changes).toHaveTextContent('− amount')
    // An append with the same columns shows no schema change.
    expect(within(within(list).getByRole('listitem', { name: 'Version 2' })).queryByRole('list', { name: 'Schema changes' })).toBeNull()
    // The current version cannot be rolled back to; each can be queried.
    expect(within(latest).queryByRole('button', { name: 'Roll back to this version' })).toBeNull()
    expect(within(latest).getByRole('link', { name: 'Query version 3' })).toHaveAttribute('href', `/query/?sql=${encodeURIComponent('SELECT *\nFROM orders FOR VERSION AS OF 3\nLIMIT 100')}`)
  })

  it('rolls back after a confirmation, and the timeline shows the rollback as the current version', async () => {
    const api = fakeApi()
    const onChanged = vi.fn()
    render(<TableHistory api={api} name="orders" onChanged={onChanged} />)
    const first = await screen.findByRole('listitem', { name: 'Version 1' })
    await userEvent.click(within(first).getByRole('button', { name: 'Roll back to this version' }))
    const dialog = await screen.findByRole('dialog')
    expect(dialog).toHaveTextContent('Roll back orders to version 1?')
    expect(dialog).toHaveTextContent('Nothing is deleted')
    expect(api.rollbackTable).not.toHaveBeenCalled()
    await userEvent.click(within(dialog).getByRole('button', { name: 'Roll back' }))
    expect(api.rollbackTable).toHaveBeenCalledExactlyOnceWith('orders', 1)
    const newest = await screen.findByRole('listitem', { name: 'Version 4' })
    expect(newest).toHaveTextContent('Rolled back to version 1')
    expect(newest).toHaveTextContent('Current')
    expect(onChanged).toHaveBeenCalledOnce()
  })

  it('keeps the table as it is when the user says no', async () => {
    const api = fakeApi()
    render(<TableHistory api={api} name="orders" />)
    await userEvent.click(within(await screen.findByRole('listitem', { name: 'Version 2' })).getByRole('button', { name: 'Roll back to this version' }))
    await userEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Keep it' }))
    expect(api.rollbackTable).not.toHaveBeenCalled()
  })

  it('compares two versions: rows and the columns added, removed and retyped', async () => {
    render(<TableHistory api={fakeApi()} name="orders" />)
    const compare = await screen.findByRole('region', { name: 'Compare versions' })
    // By default the version before the current one with the current one.
    expect(compare).toHaveTextContent('Rows: 3 → 1 (−2)')
    expect(compare).toHaveTextContent('+ item')
    await userEvent.click(within(compare).getByRole('combobox', { name: 'From version' }))
    await userEvent.click(await screen.findByRole('option', { name: 'Version 1' }))
    await userEvent.click(within(compare).getByRole('combobox', { name: 'To version' }))
    await userEvent.click(await screen.findByRole('option', { name: 'Version 2' }))
    expect(compare).toHaveTextContent('Rows: 2 → 3 (+1)')
    expect(compare).toHaveTextContent('Same columns and types.')
  })

  it('says what went wrong when the history cannot be read', async () => {
    const api = { tableVersions: vi.fn(async () => Promise.reject(new ApiError(404, 'NOT_FOUND', 'The table nope was not found.'))) } as unknown as Api
    render(<TableHistory api={api} name="nope" />)
    expect(await screen.findByText('The table nope was not found.')).toBeInTheDocument()
  })
})
