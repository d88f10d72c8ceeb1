import { render, screen, within } from '@testing-library/react'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { ResultsGrid } from './results-grid'

const columns = [
  { name: 'id', type: 'bigint' },
  { name: 'name', type: 'varchar' },
  { name: 'tags', type: 'varchar[]' },
]

// jsdom lays nothing out: every element is 0×0, so the virtualiser would show no rows at all.
// Give elements the client box of a 600px-high viewport.
beforeAll(() => {
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600)
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1200)
  return () => vi.restoreAllMocks()
})

const dataRows = () => screen.getAllByRole('row').slice(1)
const cells = (row: HTMLElement) => within(row).getAllByRole('gridcell')

describe('ResultsGrid', () => {
  it('shows each column name with its type in the header', () => {
    render(<ResultsGrid columns={columns} rows={[]} />)
    const headers = screen.getAllByRole('columnheader')
    expect(headers.map((h) => h.textContent)).toEqual(['#', 'idbigint', 'namevarchar', 'tagsvarchar[]'])
    expect(headers[1]).toHaveAttribute('title', 'id (bigint)')
    expect(screen.getByRole('grid', { name: 'Query result' })).toHaveAttribute('aria-colcount', '3')
  })

  it('shows the values of each row, NULL marked and apart from the text "null"', () => {
    render(<ResultsGrid columns={columns} rows={[[1, null, ['a', 'b']], [2, 'null', null]]} />)
    const [first, second] = dataRows()
    expect(cells(first!).map((c) => c.textContent)).toEqual(['1', 'NULL', '["a","b"]'])
    // The NULL marker is a badge, not the value's text.
    expect(cells(first!)[1]!.querySelector('span')).toHaveTextContent('NULL')
    expect(cells(second!)[1]).toHaveTextContent(/^null$/)
    expect(cells(second!)[1]!.querySelector('span')).toBeNull()
    expect(cells(second!)[2]!.querySelector('span')).toHaveTextContent('NULL')
  })

  it('right-aligns numbers', () => {
    render(<ResultsGrid columns={columns} rows={[[1, 'x', null]]} />)
    const [id, name] = cells(dataRows()[0]!)
    expect(id).toHaveClass('text-right')
    expect(name).not.toHaveClass('text-right')
  })

  it('puts the whole of a long value in its title', () => {
    const long = 'x'.repeat(50)
    render(<ResultsGrid columns={columns} rows={[[1, long, 'short']]} />)
    const [, name, tags] = cells(dataRows()[0]!)
    expect(name).toHaveAttribute('title', long)
    expect(name).toHaveClass('truncate')
    expect(tags).not.toHaveAttribute('title')
  })

  it('numbers the rows from offset + 1', () => {
    render(<ResultsGrid columns={columns} rows={[[1, 'a', null], [2, 'b', null]]} offset={1000} />)
    expect(dataRows().map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['1001', '1002'])
  })

  it('numbers the rows from 1 without an offset', () => {
    render(<ResultsGrid columns={columns} rows={[[1, 'a', null]]} />)
    expect(within(dataRows()[0]!).getByRole('rowheader')).toHaveTextContent('1')
  })

  it('renders only a window of a 1000-row page', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i, `name ${i}`, null])
    render(<ResultsGrid columns={columns} rows={rows} />)
    const grid = screen.getByRole('grid')
    expect(grid).toHaveAttribute('aria-rowcount', '1001')
    const rendered = screen.getAllByRole('gridcell').length
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThan(100 * columns.length)
    expect(dataRows()[0]).toHaveAttribute('aria-rowindex', '2')
    expect(screen.queryByText('name 999')).not.toBeInTheDocument()
  })

  it('says so when the query returned no rows, under the columns it would have had', () => {
    render(<ResultsGrid columns={[{ name: 'a', type: 'int' }]} rows={[]} />)
    expect(screen.getByRole('columnheader', { name: /a/ })).toBeInTheDocument()
    expect(screen.getByText('The query returned no rows.')).toBeInTheDocument()
    expect(screen.queryAllByRole('gridcell')).toHaveLength(0)
  })
})
