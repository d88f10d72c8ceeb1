import { act, fireEvent, render, screen, within } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { Toaster } from '@/components/ui/sonner'
import { ApiError, type Api, type QueryResult } from '@/lib/api/client'
import { QueryExecution, shareLink, type Ended } from './query-execution'

// The real CodeMirror editor is used (it works in jsdom with the Range polyfill in test/setup.ts).
// Timers are fake: the runner waits 400 ms between polls and the elapsed time ticks every 100 ms.

// jsdom lays nothing out; the virtualised grid needs a viewport to render rows in.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600)
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200)
  return () => vi.restoreAllMocks()
})
beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-11-27T12:00:00Z') }))
afterEach(() => vi.useRealTimers())

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

const COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'city', type: 'varchar' },
]

const result = (patch: Partial<QueryResult> = {}): QueryResult => ({
  queryId: 'q_1',
  status: 'SUCCEEDED',
  sql: 'SELECT * FROM people',
  submittedAt: '2026-11-27T12:00:00Z',
  columns: COLUMNS,
  rows: [
    [1, 'Berlin'],
    [2, null],
  ],
  rowCount: 2,
  offset: 0,
  stats: { elapsedMs: 1234 },
  ...patch,
})

const page = (offset: number, count: number, rowCount: number, nextToken?: string, queryId = 'q_1') =>
  result({ queryId, rows: Array.from({ length: count }, (_, i) => [offset + i + 1, `city ${offset + i + 1}`]), offset, rowCount, nextToken })

function fakeApi(token: string | null = null) {
  return {
    runQuery: vi.fn<Api['runQuery']>(async () => result()),
    query: vi.fn<Api['query']>(async () => result()),
    cancelQuery: vi.fn<Api['cancelQuery']>(async (queryId) => result({ queryId, status: 'CANCELLED', rows: undefined, columns: undefined })),
    exportUrl: vi.fn((queryId: string) => `/api/query/${queryId}/results.csv`),
    downloadLink: vi.fn<Api['downloadLink']>(async (queryId: string) => ({ url: `/api/query/${queryId}/results.csv?access=signed`, expiresAt: '2026-11-27T08:01:00.000Z' })),
    auth: { token: vi.fn(async () => token), onUnauthorized: vi.fn() },
  }
}
type FakeApi = ReturnType<typeof fakeApi>

/** QueryExecution as the query page holds it: the SQL lives in the parent. */
function Console({ api, initialSql, onEnded, autoRun }: { api: FakeApi; initialSql: string; onEnded?: (e: Ended) => void; autoRun?: boolean }) {
  const [sql, setSql] = useState(initialSql)
  return <QueryExecution api={api as unknown as Api} schema={{}} sql={sql} onSqlChange={setSql} onEnded={onEnded} autoRun={autoRun} />
}

function renderConsole(api: FakeApi) {
  return render(
    <>
      <Console api={api} initialSql="SELECT * FROM people" />
      <Toaster />
    </>,
  )
}

function setup({ sql = 'SELECT * FROM people', api = fakeApi(), autoRun }: { sql?: string; api?: FakeApi; autoRun?: boolean } = {}) {
  const onEnded = vi.fn<(e: Ended) => void>()
  render(
    <>
      <Console api={api} initialSql={sql} onEnded={onEnded} autoRun={autoRun} />
      <Toaster />
    </>,
  )
  return { api, onEnded }
}

/** Lets pending promises and timers up to `ms` run, inside act. */
const advance = (ms = 0) => act(() => vi.advanceTimersByTimeAsync(ms))

const runButton = () => screen.getByRole('button', { name: 'Run' })
const cancelButton = () => screen.getByRole('button', { name: 'Cancel' })
const run = async () => {
  fireEvent.click(runButton())
  await advance()
}
const pageRange = () => screen.getByTestId('page-range')
const gridRows = () => within(screen.getByRole('grid')).getAllByRole('row').slice(1)

describe('QueryExecution', () => {
  it('asks to run a query before there is a result', () => {
    setup()
    expect(screen.getByText('Run a query to see its result')).toBeInTheDocument()
    expect(cancelButton()).toBeDisabled()
  })

  it('cannot run empty SQL', () => {
    const { api } = setup({ sql: '   ' })
    expect(runButton()).toBeDisabled()
    expect(api.runQuery).not.toHaveBeenCalled()
  })

  it('runs the SQL and shows the rows with "N rows · duration"', async () => {
    const { api } = setup()
    await run()
    expect(api.runQuery).toHaveBeenCalledExactlyOnceWith({ sql: 'SELECT * FROM people', waitMs: 1000 })
    expect(screen.getByTestId('query-summary')).toHaveTextContent('2 rows · 1.23 s')
    expect(gridRows().map((r) => within(r).getAllByRole('gridcell').map((c) => c.textContent))).toEqual([
      ['1', 'Berlin'],
      ['2', 'NULL'],
    ])
    expect(pageRange()).toHaveTextContent('Rows 1–2 of 2')
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled()
  })

  it('says "1 row" for one row and "No rows" for none', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValueOnce(result({ rows: [[1, 'x']], rowCount: 1, stats: { elapsedMs: 5 } }))
    api.runQuery.mockResolvedValueOnce(result({ rows: [], rowCount: 0, stats: { elapsedMs: 5 } }))
    setup({ api })
    await run()
    expect(screen.getByTestId('query-summary')).toHaveTextContent(/^1 row · 5 ms$/)
    await run()
    expect(screen.getByTestId('query-summary')).toHaveTextContent(/^0 rows · 5 ms$/)
    expect(pageRange()).toHaveTextContent('No rows')
  })

  it('says how many bytes the engine scanned when it reports them (aws mode: what Athena bills)', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValueOnce(result({ rows: [[1, 'x']], rowCount: 1, stats: { elapsedMs: 5, scannedBytes: 3 * 1024 * 1024, engineMs: 4 } }))
    setup({ api })
    await run()
    expect(screen.getByTestId('query-summary')).toHaveTextContent(/^1 row · 5 ms · 3.0 MB scanned$/)
  })

  it('says when the result is an earlier run\'s, reused because the tables did not change', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValueOnce(result({ rows: [[1, 'x']], rowCount: 1, stats: { elapsedMs: 2 }, reusedFrom: 'q_0123456789abcdef0123456789abcdef' }))
    api.runQuery.mockResolvedValueOnce(result({ rows: [[1, 'x']], rowCount: 1, stats: { elapsedMs: 40 } }))
    setup({ api })
    await run()
    expect(screen.getByTestId('query-summary')).toHaveTextContent(/^1 row · 2 ms · reused result · Run again$/)
    expect(screen.getByTestId('query-reused')).toHaveAttribute('title', expect.stringMatching(/nothing ran again/))
    // Run again: the same SQL, this time run rather than answered from the earlier result.
    fireEvent.click(screen.getByRole('button', { name: 'Run again' }))
    await advance()
    expect(api.runQuery).toHaveBeenLastCalledWith(expect.objectContaining({ sql: expect.any(String), reuse: false }))
    expect(screen.getByTestId('query-summary')).toHaveTextContent(/^1 row · 40 ms$/)
    expect(screen.queryByTestId('query-reused')).toBeNull()
    expect(api.runQuery.mock.calls[0]![0]).not.toHaveProperty('reuse')
  })

  it('runs on Ctrl+Enter in the editor', async () => {
    const { api } = setup()
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'SQL' }), { key: 'Enter', code: 'Enter', ctrlKey: true })
    await advance()
    expect(api.runQuery).toHaveBeenCalledTimes(1)
    expect(screen.getByTestId('query-summary')).toBeInTheDocument()
  })

  it('runs at once with autoRun', async () => {
    const { api } = setup({ autoRun: true })
    await advance()
    expect(api.runQuery).toHaveBeenCalledTimes(1)
  })

  it('polls a query that is still running until it succeeds, showing the time elapsed meanwhile', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValue(result({ status: 'RUNNING', rows: undefined, columns: undefined, rowCount: undefined }))
    api.query.mockResolvedValueOnce(result({ status: 'RUNNING', rows: undefined, columns: undefined, rowCount: undefined }))
    api.query.mockResolvedValueOnce(result({ stats: { elapsedMs: 900 } }))
    setup({ api })

    await run()
    expect(screen.getByTestId('query-elapsed')).toHaveTextContent(/^Running · /)
    expect(screen.getByText(/Running… long queries keep going on the server/)).toBeInTheDocument()
    expect(runButton()).toBeDisabled()
    expect(cancelButton()).toBeEnabled()
    expect(api.query).not.toHaveBeenCalled()

    await advance(400)
    expect(api.query).toHaveBeenCalledTimes(1)
    expect(api.query).toHaveBeenLastCalledWith('q_1')
    expect(screen.getByTestId('query-elapsed')).toHaveTextContent('Running · 400 ms')

    await advance(400)
    expect(api.query).toHaveBeenCalledTimes(2)
    expect(screen.queryByTestId('query-elapsed')).not.toBeInTheDocument()
    expect(screen.getByTestId('query-summary')).toHaveTextContent('2 rows · 900 ms')
    expect(gridRows()).toHaveLength(2)
    expect(runButton()).toBeEnabled()
    expect(cancelButton()).toBeDisabled()
  })

  it('the elapsed time keeps counting while the query runs', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValue(result({ status: 'RUNNING', rows: undefined }))
    api.query.mockResolvedValue(result({ status: 'RUNNING', rows: undefined }))
    setup({ api })
    await run()
    await advance(2500)
    expect(screen.getByTestId('query-elapsed')).toHaveTextContent('Running · 2.50 s')
    await advance(10_000)
    expect(screen.getByTestId('query-elapsed')).toHaveTextContent('Running · 12.5 s')
  })

  it('Cancel while running cancels the query and says it was cancelled', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValue(result({ status: 'RUNNING', rows: undefined }))
    let cancelled = false
    api.cancelQuery.mockImplementation(async (queryId) => {
      cancelled = true
      return result({ queryId, status: 'CANCELLED', rows: undefined })
    })
    api.query.mockImplementation(async (queryId) => result({ queryId, status: cancelled ? 'CANCELLED' : 'RUNNING', rows: undefined }))
    const { onEnded } = setup({ api })

    await run()
    await advance(400)
    fireEvent.click(cancelButton())
    await advance()
    expect(api.cancelQuery).toHaveBeenCalledExactlyOnceWith('q_1')
    await advance(400)
    expect(screen.getByText('Cancelled')).toBeInTheDocument()
    expect(screen.getByText('The query was cancelled.')).toBeInTheDocument()
    expect(onEnded).toHaveBeenCalledExactlyOnceWith({ status: 'cancelled', sql: 'SELECT * FROM people' })
    expect(runButton()).toBeEnabled()
  })

  it('Cancel before the query has an id cancels it as soon as it has one', async () => {
    const api = fakeApi()
    const started = deferred<QueryResult>()
    api.runQuery.mockReturnValue(started.promise)
    setup({ api })

    await run()
    fireEvent.click(cancelButton())
    await advance()
    expect(api.cancelQuery).not.toHaveBeenCalled()

    started.resolve(result({ queryId: 'q_7', status: 'RUNNING', rows: undefined }))
    await advance()
    expect(api.cancelQuery).toHaveBeenCalledExactlyOnceWith('q_7')
    expect(screen.getByText('The query was cancelled.')).toBeInTheDocument()
    expect(api.query).not.toHaveBeenCalled()
  })

  it('shows where an SQL error is, with the message, and marks the line in the editor', async () => {
    const api = fakeApi()
    api.runQuery.mockRejectedValue(new ApiError(400, 'SQL_SYNTAX', 'syntax error at or near "FORM"', { line: 2, column: 5 }))
    const { onEnded } = setup({ api, sql: 'SELECT *\nFORM people' })
    await run()

    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('Error on line 2, column 5')
    expect(alert).toHaveTextContent('syntax error at or near "FORM"')
    const marked = screen.getByTestId('sql-editor').querySelectorAll('.cm-error-line')
    expect(marked).toHaveLength(1)
    expect(marked[0]).toHaveTextContent('FORM people')
    expect(onEnded).toHaveBeenCalledExactlyOnceWith({ status: 'failed', sql: 'SELECT *\nFORM people', message: 'syntax error at or near "FORM"', line: 2, column: 5 })
    expect(runButton()).toBeEnabled()
  })

  it('shows the error of a query that failed while it ran', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValue(result({ status: 'RUNNING', rows: undefined }))
    api.query.mockResolvedValue(result({ status: 'FAILED', rows: undefined, error: { code: 'CONVERSION', message: 'Could not convert "x" to INT', line: 1 } }))
    setup({ api })
    await run()
    await advance(400)
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent(/^Error on line 1Could not convert/)
    expect(alert).not.toHaveTextContent('column')
  })

  it('says the query failed when the error names no place', async () => {
    const api = fakeApi()
    api.runQuery.mockRejectedValue(new ApiError(502, 'HTTP_502', 'The server answered 502 Bad Gateway'))
    setup({ api })
    await run()
    expect(screen.getByRole('alert')).toHaveTextContent('The query failedThe server answered 502 Bad Gateway')
  })

  it('pages through the result with Next and Previous', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValue(page(0, 1000, 2500, 't2'))
    api.query.mockImplementation(async (_id, token) => (token === 't2' ? page(1000, 1000, 2500, 't3') : token === 't3' ? page(2000, 500, 2500) : page(0, 1000, 2500, 't2')))
    setup({ api })
    await run()
    expect(pageRange()).toHaveTextContent('Rows 1–1,000 of 2,500')
    expect(screen.getByTestId('query-summary')).toHaveTextContent('2,500 rows')
    expect(within(gridRows()[0]!).getByRole('rowheader')).toHaveTextContent('1')

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }))
    await advance()
    expect(api.query).toHaveBeenLastCalledWith('q_1', 't2')
    expect(pageRange()).toHaveTextContent('Rows 1,001–2,000 of 2,500')
    expect(within(gridRows()[0]!).getByRole('rowheader')).toHaveTextContent('1001')
    expect(within(gridRows()[0]!).getAllByRole('gridcell')[1]).toHaveTextContent('city 1001')
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeEnabled()

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }))
    await advance()
    expect(api.query).toHaveBeenLastCalledWith('q_1', 't3')
    expect(pageRange()).toHaveTextContent('Rows 2,001–2,500 of 2,500')
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled()

    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }))
    await advance()
    expect(api.query).toHaveBeenLastCalledWith('q_1', 't2')
    expect(pageRange()).toHaveTextContent('Rows 1,001–2,000 of 2,500')

    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }))
    await advance()
    expect(api.query).toHaveBeenLastCalledWith('q_1', undefined)
    expect(pageRange()).toHaveTextContent('Rows 1–1,000 of 2,500')
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled()
  })

  it('disables paging while a page loads', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValue(page(0, 10, 20, 't2'))
    const next = deferred<QueryResult>()
    api.query.mockReturnValue(next.promise)
    setup({ api })
    await run()
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }))
    await advance()
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled()
    next.resolve(page(10, 10, 20))
    await advance()
    expect(pageRange()).toHaveTextContent('Rows 11–20 of 20')
  })

  it('shows the error when a page cannot be fetched', async () => {
    const api = fakeApi()
    api.runQuery.mockResolvedValue(page(0, 10, 20, 't2'))
    api.query.mockRejectedValue(new ApiError(410, 'EXPIRED', 'The result has expired: run the query again'))
    setup({ api })
    await run()
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }))
    await advance()
    expect(screen.getByRole('alert')).toHaveTextContent('The result has expired: run the query again')
  })

  it('a page that arrives after a new run has ended does not replace the new result', async () => {
    // Next page is asked for, then Run is pressed (it is enabled while a page loads) and the new
    // query answers first: the late page of the old query must not overwrite the new result.
    const api = fakeApi()
    api.runQuery.mockResolvedValueOnce(page(0, 10, 20, 't2', 'q_old'))
    const oldPage = deferred<QueryResult>()
    api.query.mockReturnValue(oldPage.promise)
    api.runQuery.mockResolvedValueOnce(result({ queryId: 'q_new', rows: [[42, 'new']], rowCount: 1 }))
    setup({ api })
    await run()
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }))
    await advance()
    await run()
    expect(pageRange()).toHaveTextContent('Rows 1–1 of 1')

    oldPage.resolve(page(10, 10, 20, undefined, 'q_old'))
    await advance()
    expect(pageRange()).toHaveTextContent('Rows 1–1 of 1')
    expect(within(gridRows()[0]!).getAllByRole('gridcell')[1]).toHaveTextContent('new')
  })

  it('tells onEnded how each run ended (for the history)', async () => {
    const api = fakeApi()
    const first = result({ rowCount: 2 })
    api.runQuery.mockResolvedValueOnce(first)
    api.runQuery.mockRejectedValueOnce(new Error('Failed to fetch'))
    const { onEnded } = setup({ api })
    await run()
    expect(onEnded).toHaveBeenLastCalledWith({ status: 'succeeded', sql: 'SELECT * FROM people', result: first, pages: [undefined], paging: false })
    await run()
    expect(onEnded).toHaveBeenLastCalledWith({ status: 'failed', sql: 'SELECT * FROM people', message: 'Failed to fetch' })
    expect(onEnded).toHaveBeenCalledTimes(2)
    expect(screen.getByRole('alert')).toHaveTextContent('Failed to fetch')
  })

  it('exports with a token through a signed download link the browser opens, and shows a failed export', async () => {
    const api = fakeApi('tok')
    setup({ api })
    await run()
    const clicked: HTMLAnchorElement[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this)
    })
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
    await advance()
    expect(api.downloadLink).toHaveBeenCalledExactlyOnceWith('q_1')
    expect(clicked.map((a) => a.getAttribute('href'))).toEqual(['/api/query/q_1/results.csv?access=signed'])
    expect(clicked[0]!.download).toBe('q_1.csv')
    click.mockRestore()

    api.downloadLink.mockRejectedValue(new ApiError(409, 'CONFLICT', 'The query is running; only a query that succeeded has a result to download.'))
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
    await advance(100)
    expect(screen.getByText(/only a query that succeeded/)).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeEnabled()
  })

  it('exports without a token as a plain download link', async () => {
    const api = fakeApi(null)
    setup({ api })
    await run()
    const clicked: HTMLAnchorElement[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this)
    })
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }))
    await advance()
    click.mockRestore()
    expect(api.downloadLink).not.toHaveBeenCalled()
    expect(clicked).toHaveLength(1)
    expect(clicked[0]!.getAttribute('href')).toBe('/api/query/q_1/results.csv')
    expect(clicked[0]!.download).toBe('q_1.csv')
  })

  it('offers CSV and CSV for spreadsheets in a menu beside Export CSV', async () => {
    for (const token of [null, 'tok']) {
      const api = fakeApi(token)
      const { unmount } = renderConsole(api)
      await run()
      const clicked: HTMLAnchorElement[] = []
      const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
        clicked.push(this)
      })
      const choose = async (name: RegExp) => {
        fireEvent.keyDown(screen.getByRole('button', { name: 'More export formats' }), { key: 'Enter' })
        await advance()
        const menu = screen.getByRole('menu')
        expect(within(menu).getAllByRole('menuitem').map((i) => i.textContent)).toEqual([
          'CSV the data as it is',
          "CSV for spreadsheets (formulas neutralised) text starting with = + - @ gets a leading '",
        ])
        fireEvent.click(within(menu).getByRole('menuitem', { name }))
        await advance()
      }
      await choose(/^CSV for spreadsheets/)
      await choose(/^CSV the data/)
      click.mockRestore()
      const base = token ? '/api/query/q_1/results.csv?access=signed' : '/api/query/q_1/results.csv'
      expect(clicked.map((a) => [a.getAttribute('href'), a.download])).toEqual([
        [`${base}${token ? '&' : '?'}safe=spreadsheet`, 'q_1-spreadsheet.csv'],
        [base, 'q_1.csv'],
      ])
      expect(api.downloadLink).toHaveBeenCalledTimes(token ? 2 : 0)
      unmount()
    }
  })

  it('copies a link that opens the SQL in the query page', async () => {
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    setup({ sql: "SELECT * FROM people WHERE name = 'Zoë & co'" })
    fireEvent.click(screen.getByRole('button', { name: 'Copy link' }))
    await advance()
    expect(writeText).toHaveBeenCalledExactlyOnceWith(`${window.location.origin}/query/?sql=${encodeURIComponent("SELECT * FROM people WHERE name = 'Zoë & co'")}`)
    await advance(100)
    expect(screen.getByText(/Link copied/)).toBeInTheDocument()
    expect(shareLink('SELECT 1', 'https://lake.example')).toBe('https://lake.example/query/?sql=SELECT%201')
  })
})

