import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { Dialect, Preview } from '@/lib/api/client'
import { DialectControls, DialectSummary, FilePreview } from './file-preview'

const dialect = (patch: Partial<Dialect> = {}): Dialect => ({
  delimiter: ',',
  quote: '"',
  escape: '"',
  header: true,
  encoding: 'utf-8',
  bom: false,
  compression: 'none',
  lineEnding: '\n',
  columnNames: ['id', 'name', 'note'],
  ...patch,
})

const preview = (patch: Partial<Preview> = {}): Preview => ({
  fileId: 'f_1',
  name: 'people.csv',
  size: 1234,
  format: 'csv',
  dialect: dialect(),
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'name', type: 'varchar' },
    { name: 'note', type: 'varchar' },
  ],
  rows: [
    { id: '1', name: 'Ann', note: null },
    { id: '2', name: 'null', note: 'x' },
  ],
  problems: [],
  truncated: false,
  moreRows: false,
  multilineFields: false,
  ...patch,
})

const fact = (label: string) => screen.getByText(label, { selector: 'dt' }).nextElementSibling

describe('FilePreview', () => {
  it('shows each column name with its type in the header', () => {
    render(<FilePreview preview={preview()} />)
    const headers = screen.getAllByRole('columnheader').slice(1)
    expect(headers.map((h) => h.textContent)).toEqual(['idbigint', 'namevarchar', 'notevarchar'])
    expect(within(headers[0]!).getByText('bigint')).toBeInTheDocument()
  })

  it('shows the rows in column order, numbered from 1', () => {
    render(<FilePreview preview={preview()} />)
    const rows = within(screen.getAllByRole('rowgroup')[1]!).getAllByRole('row')
    expect(rows).toHaveLength(2)
    expect(within(rows[0]!).getAllByRole('cell').map((c) => c.textContent)).toEqual(['1', '1', 'Ann', 'NULL'])
    expect(within(rows[1]!).getAllByRole('cell')[0]).toHaveTextContent('2')
  })

  it('marks NULL with a badge, distinct from the text "null"', () => {
    render(<FilePreview preview={preview()} />)
    const rows = within(screen.getAllByRole('rowgroup')[1]!).getAllByRole('row')
    const nullCell = within(rows[0]!).getAllByRole('cell')[3]!
    const textNullCell = within(rows[1]!).getAllByRole('cell')[2]!
    expect(nullCell.querySelector('[data-slot="badge"]')).toHaveTextContent('NULL')
    expect(textNullCell).toHaveTextContent(/^null$/)
    expect(textNullCell.querySelector('[data-slot="badge"]')).toBeNull()
  })

  it('treats a missing value in a row as NULL', () => {
    render(<FilePreview preview={preview({ rows: [{ id: '1' }] })} />)
    const cells = within(within(screen.getAllByRole('rowgroup')[1]!).getByRole('row')).getAllByRole('cell')
    expect(cells.slice(2).map((c) => c.textContent)).toEqual(['NULL', 'NULL'])
  })

  it('cuts a long value short with the whole value in the title', () => {
    const long = 'a'.repeat(60) + ' the end'
    render(<FilePreview preview={preview({ rows: [{ id: '1', name: 'short', note: long }] })} />)
    const cell = screen.getByText(long)
    expect(cell).toHaveAttribute('title', long)
    expect(cell).toHaveClass('truncate')
    expect(screen.getByText('short')).not.toHaveAttribute('title')
  })

  it('shows a value spanning lines on one line, the whole value in the title', () => {
    render(<FilePreview preview={preview({ rows: [{ id: '1', name: 'two\nlines', note: null }], multilineFields: true })} />)
    const cell = screen.getByText('two ⏎ lines')
    expect(cell).toHaveAttribute('title', 'two\nlines')
    expect(screen.getByText(/Some values span several lines/)).toBeInTheDocument()
  })

  it('lists the lines that could not be read, by line', () => {
    render(
      <FilePreview
        preview={preview({
          problems: [
            { line: 7, message: 'Unterminated quote' },
            { line: 12, message: 'Expected 3 fields, found 4' },
          ],
        })}
      />,
    )
    const alert = screen.getByRole('alert')
    expect(alert).toHaveTextContent('2 lines could not be read')
    expect(within(alert).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Line 7: Unterminated quote', 'Line 12: Expected 3 fields, found 4'])
  })

  it('says "one line" for a single problem and shows no alert without problems', () => {
    const { rerender } = render(<FilePreview preview={preview({ problems: [{ line: 3, message: 'bad' }] })} />)
    expect(screen.getByRole('alert')).toHaveTextContent('One line could not be read')
    rerender(<FilePreview preview={preview()} />)
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('never says "the whole file" when more rows follow, though the whole file was read', () => {
    render(<FilePreview preview={preview({ truncated: false, moreRows: true })} />)
    expect(screen.getByText(/2 rows from the start of the file; the file has more\./)).toBeInTheDocument()
    expect(screen.queryByText(/whole file/)).not.toBeInTheDocument()
  })

  it('says when the file has more rows than the preview', () => {
    const { rerender } = render(<FilePreview preview={preview({ truncated: true, moreRows: true })} />)
    expect(screen.getByText(/2 rows from the start of the file; the file has more\./)).toBeInTheDocument()
    rerender(<FilePreview preview={preview({ truncated: false })} />)
    expect(screen.getByText(/that is the whole file\./)).toBeInTheDocument()
    expect(screen.queryByText(/the file has more/)).not.toBeInTheDocument()
  })
})

describe('DialectSummary', () => {
  it('names the detected delimiter: a tab is "tab"', () => {
    render(<DialectSummary preview={preview({ dialect: dialect({ delimiter: '\t' }) })} />)
    expect(fact('Delimiter')).toHaveTextContent(/^tab$/)
  })

  it('shows the encoding, with the BOM when there is one', () => {
    const { rerender } = render(<DialectSummary preview={preview({ dialect: dialect({ encoding: 'utf-16le', bom: true }) })} />)
    expect(fact('Encoding')).toHaveTextContent(/^utf-16le \(BOM\)$/)
    rerender(<DialectSummary preview={preview({ dialect: dialect({ encoding: 'windows-1252', bom: false }) })} />)
    expect(fact('Encoding')).toHaveTextContent(/^windows-1252$/)
  })

  it('shows header, line endings and quote, and compression only when compressed', () => {
    const { rerender } = render(<DialectSummary preview={preview({ dialect: dialect({ header: false, lineEnding: '\r\n', delimiter: ';' }) })} />)
    expect(fact('Delimiter')).toHaveTextContent('semicolon')
    expect(fact('Header row')).toHaveTextContent('no')
    expect(fact('Line endings')).toHaveTextContent('CRLF')
    expect(fact('Quote')).toHaveTextContent('"')
    expect(screen.queryByText('Compression')).not.toBeInTheDocument()
    rerender(<DialectSummary preview={preview({ dialect: dialect({ compression: 'gzip' }) })} />)
    expect(fact('Compression')).toHaveTextContent('gzip')
  })
})

describe('DialectControls', () => {
  const trigger = (label: string) => screen.getByRole('combobox', { name: label })

  it('shows what was detected as the current choices', () => {
    render(<DialectControls dialect={dialect({ header: false, delimiter: '\t', encoding: 'utf-16le' })} onChange={vi.fn()} />)
    expect(trigger('Header row')).toHaveTextContent('No header row')
    expect(trigger('Delimiter')).toHaveTextContent('tab')
    expect(trigger('Encoding')).toHaveTextContent('utf-16le')
  })

  it('corrects the delimiter', async () => {
    const onChange = vi.fn()
    render(<DialectControls dialect={dialect()} onChange={onChange} />)
    await userEvent.click(trigger('Delimiter'))
    const options = screen.getAllByRole('option').map((o) => o.textContent)
    expect(options).toEqual(['comma', 'semicolon', 'tab', 'pipe'])
    await userEvent.click(screen.getByRole('option', { name: 'semicolon' }))
    expect(onChange).toHaveBeenCalledExactlyOnceWith({ delimiter: ';' })
  })

  it('corrects the header row', async () => {
    const onChange = vi.fn()
    render(<DialectControls dialect={dialect({ header: true })} onChange={onChange} />)
    await userEvent.click(trigger('Header row'))
    await userEvent.click(screen.getByRole('option', { name: 'No header row' }))
    expect(onChange).toHaveBeenCalledExactlyOnceWith({ header: false })
  })

  it('corrects the encoding, offering a detected encoding that is not in the usual list', async () => {
    const onChange = vi.fn()
    render(<DialectControls dialect={dialect({ encoding: 'shift_jis' })} onChange={onChange} />)
    expect(trigger('Encoding')).toHaveTextContent('shift_jis')
    await userEvent.click(trigger('Encoding'))
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['shift_jis', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-1'])
    await userEvent.click(screen.getByRole('option', { name: 'windows-1252' }))
    expect(onChange).toHaveBeenCalledExactlyOnceWith({ encoding: 'windows-1252' })
  })
})

describe('a Parquet preview', () => {
  const parquet = preview({
    name: 'trips.parquet',
    format: 'parquet',
    rowCount: 12345,
    columns: [
      { name: 'id', type: 'int', parquetType: 'INT32' },
      { name: 'opens_at', type: 'unsupported', parquetType: 'INT64 (TIME, MICROS)', refused: 'Athena has no time-of-day column type' },
    ],
    rows: [{ id: '1' }],
    problems: [{ line: 0, message: 'Column "opens_at" is INT64 (TIME, MICROS): Athena has no time-of-day column type; the load will refuse it.' }],
    moreRows: true,
  })

  it('summarises the format, columns and rows instead of a CSV dialect', () => {
    render(<DialectSummary preview={parquet} />)
    const facts = screen.getByLabelText('Detected format')
    expect(facts).toHaveTextContent('FormatParquet')
    expect(facts).toHaveTextContent('Rows12,345')
    expect(facts).not.toHaveTextContent('Delimiter')
  })

  it('shows each column with the type it loads as, and the columns the load will refuse', () => {
    render(<FilePreview preview={parquet} />)
    expect(screen.getByRole('alert')).toHaveTextContent('One column cannot be loaded')
    expect(screen.getByRole('alert')).toHaveTextContent('Column "opens_at" is INT64 (TIME, MICROS)')
    expect(screen.getByRole('alert')).not.toHaveTextContent('Line 0')
    expect(screen.getByText('unsupported')).toHaveAttribute('title', 'Parquet: INT64 (TIME, MICROS) - Athena has no time-of-day column type')
  })
})
