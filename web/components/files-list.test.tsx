import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { FileMeta } from '@/lib/api/client'
import { FilesList } from './files-list'

const file = (patch: Partial<FileMeta> = {}): FileMeta => ({
  fileId: 'f_1',
  name: 'City People.csv',
  size: 1536,
  sha256: '0'.repeat(64),
  contentType: 'text/csv',
  compression: 'none',
  format: 'csv',
  uploadedAt: new Date().toISOString(),
  dialect: { delimiter: ';', quote: '"', escape: '"', header: true, encoding: 'windows-1252', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['a'] },
  ...patch,
})

describe('FilesList', () => {
  it('shows a placeholder while the files load', () => {
    const { container } = render(<FilesList files={undefined} loading onDelete={vi.fn()} />)
    expect(container.querySelector('[data-slot="skeleton"]')).toBeInTheDocument()
    expect(screen.queryByText('No files yet')).not.toBeInTheDocument()
  })

  it('says there are no files yet', () => {
    render(<FilesList files={[]} loading={false} onDelete={vi.fn()} />)
    expect(screen.getByText('No files yet')).toBeInTheDocument()
    expect(screen.queryByRole('table')).not.toBeInTheDocument()
  })

  it('lists each file with its size, format and a link to its preview', () => {
    render(<FilesList files={[file(), file({ fileId: 'f_2', name: 'b.csv.gz', compression: 'gzip', dialect: { ...file().dialect, delimiter: '\t', encoding: 'utf-8' } })]} loading={false} onDelete={vi.fn()} />)
    const rows = within(screen.getByRole('table', { name: 'Uploaded files' })).getAllByRole('row').slice(1)
    expect(rows).toHaveLength(2)
    const first = rows[0]!
    expect(within(first).getByRole('link', { name: 'City People.csv' })).toHaveAttribute('href', '/files/?id=f_1')
    expect(within(first).getByRole('link', { name: 'Preview' })).toHaveAttribute('href', '/files/?id=f_1')
    expect(first).toHaveTextContent('1.5 KB')
    expect(first).toHaveTextContent('semicolon')
    expect(first).toHaveTextContent('windows-1252')
    expect(first).toHaveTextContent('just now')
    expect(first).not.toHaveTextContent('gzip')
    expect(rows[1]).toHaveTextContent('tab')
    expect(rows[1]).toHaveTextContent('gzip')
  })

  it('shows a Parquet file as Parquet, with no CSV delimiter or encoding', () => {
    render(<FilesList files={[file({ name: 'trips.parquet', format: 'parquet', dialect: { ...file().dialect, delimiter: ',', encoding: 'utf-8' } })]} loading={false} onDelete={vi.fn()} />)
    const [row] = within(screen.getByRole('table', { name: 'Uploaded files' })).getAllByRole('row').slice(1)
    expect(row).toHaveTextContent('Parquet')
    expect(row).not.toHaveTextContent('comma')
    expect(row).not.toHaveTextContent('utf-8')
  })

  it('asks the page to delete a file', async () => {
    const onDelete = vi.fn()
    const f = file()
    render(<FilesList files={[f]} loading={false} onDelete={onDelete} />)
    await userEvent.click(screen.getByRole('button', { name: 'Delete City People.csv' }))
    expect(onDelete).toHaveBeenCalledExactlyOnceWith(f)
  })

  it('keeps showing the files while they reload', () => {
    render(<FilesList files={[file()]} loading onDelete={vi.fn()} />)
    expect(screen.getByRole('link', { name: 'City People.csv' })).toBeInTheDocument()
  })

  it('offers Load more when there are more files, and asks the page for them', async () => {
    const onLoadMore = vi.fn()
    render(<FilesList files={[file()]} loading={false} onDelete={vi.fn()} more={{ onLoadMore, loading: false }} />)
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }))
    expect(onLoadMore).toHaveBeenCalledOnce()
  })

  it('offers no Load more once every file is shown, and says when more are loading', () => {
    const { rerender } = render(<FilesList files={[file()]} loading={false} onDelete={vi.fn()} />)
    expect(screen.queryByRole('button', { name: /Load more/ })).not.toBeInTheDocument()
    rerender(<FilesList files={[file()]} loading={false} onDelete={vi.fn()} more={{ onLoadMore: vi.fn(), loading: true }} />)
    expect(screen.getByRole('button', { name: 'Loading more…' })).toBeDisabled()
  })

  it('says why more files could not be loaded, and offers to try again', async () => {
    const onLoadMore = vi.fn()
    render(<FilesList files={[file()]} loading={false} onDelete={vi.fn()} more={{ onLoadMore, loading: false, error: 'The server is busy' }} />)
    expect(screen.getByRole('alert')).toHaveTextContent('The server is busy')
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }))
    expect(onLoadMore).toHaveBeenCalledOnce()
  })
})
