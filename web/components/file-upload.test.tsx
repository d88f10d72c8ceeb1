import { act, fireEvent, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type FileMeta } from '@/lib/api/client'
import type { UploadProgress } from '@/lib/api/upload'
import { FileUpload, type Uploader } from './file-upload'

type Pending = {
  file: File
  signal: AbortSignal
  progress: (p: UploadProgress) => void
  resolve: (meta: FileMeta) => void
  reject: (error: unknown) => void
}

/** An uploader the test drives: each call waits until the test resolves, rejects or reports progress. */
function fakeUploader() {
  const calls: Pending[] = []
  const upload = vi.fn<Uploader>(
    (file, { onProgress, signal }) =>
      new Promise<FileMeta>((resolve, reject) => {
        calls.push({ file, signal, progress: onProgress, resolve, reject })
        // As the real uploader does: an abort rejects with CANCELLED.
        signal.addEventListener('abort', () => reject(new ApiError(0, 'CANCELLED', 'Upload cancelled')), { once: true })
      }),
  )
  return { upload, calls }
}

const csv = (name: string, bytes = 100) => new File(['x'.repeat(bytes)], name, { type: 'text/csv' })

const metaFor = (file: File, fileId = 'f_abc'): FileMeta => ({
  fileId,
  name: file.name,
  size: file.size,
  sha256: '0'.repeat(64),
  contentType: 'text/csv',
  compression: 'none',
  format: 'csv',
  uploadedAt: '2026-11-27T08:00:00.000Z',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['a'] },
})

const row = (name: string) => screen.getByRole('listitem', { name })
const MB = 1024 * 1024

async function pick(...files: File[]) {
  // applyAccept off: the input's accept attribute would drop the non-CSV files before the component saw them.
  const user = userEvent.setup({ applyAccept: false })
  await user.upload(screen.getByTestId('file-input'), files)
}

describe('FileUpload', () => {
  it('starts one row with a progress bar for each file picked', async () => {
    const { upload, calls } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(csv('a.csv', 1000), csv('b.tsv', 2000))

    expect(upload).toHaveBeenCalledTimes(2)
    expect(calls.map((c) => c.file.name)).toEqual(['a.csv', 'b.tsv'])
    for (const name of ['a.csv', 'b.tsv']) {
      expect(row(name)).toHaveAttribute('data-state', 'uploading')
      expect(within(row(name)).getByRole('progressbar', { name: `Uploading ${name}` })).toHaveAttribute('aria-valuenow', '0')
    }
  })

  it('moves the progress bar with the progress events', async () => {
    const { upload, calls } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(csv('a.csv', 1000))

    act(() => calls[0]!.progress({ loaded: 250, total: 1000 }))
    const bar = within(row('a.csv')).getByRole('progressbar')
    expect(bar).toHaveAttribute('aria-valuenow', '25')
    expect(row('a.csv')).toHaveTextContent('25%')

    act(() => calls[0]!.progress({ loaded: 900, total: 1000 }))
    expect(bar).toHaveAttribute('aria-valuenow', '90')
  })

  it('measures progress against the request total the uploader reports, not the file size', async () => {
    // The multipart body is larger than the file (boundaries, headers): with a 100-byte file and a
    // 300-byte request, 150 bytes sent is half way, not "150 B of 100 B · 100%".
    const { upload, calls } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(csv('small.csv', 100))

    act(() => calls[0]!.progress({ loaded: 150, total: 300 }))
    expect(within(row('small.csv')).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '50')
    expect(row('small.csv')).toHaveTextContent('50%')
  })

  it("shows the server's refusal message", async () => {
    const { upload, calls } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(csv('photo.csv'))

    await act(async () => calls[0]!.reject(new ApiError(415, 'UNSUPPORTED', 'This looks like a PNG image, not text')))
    expect(row('photo.csv')).toHaveAttribute('data-state', 'failed')
    expect(within(row('photo.csv')).getByRole('alert')).toHaveTextContent('This looks like a PNG image, not text')
    expect(within(row('photo.csv')).queryByRole('progressbar')).not.toBeInTheDocument()
    expect(within(row('photo.csv')).queryByRole('button', { name: /cancel/i })).not.toBeInTheDocument()
  })

  it('refuses a file that is not a CSV before uploading it', async () => {
    const { upload } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(new File(['png'], 'photo.png', { type: 'image/png' }))

    expect(upload).not.toHaveBeenCalled()
    expect(row('photo.png')).toHaveAttribute('data-state', 'failed')
    expect(within(row('photo.png')).getByRole('alert')).toHaveTextContent('Not a CSV file: choose a .csv, .tsv or .txt file (gzipped is fine)')
  })

  it('refuses an empty file before uploading it', async () => {
    const { upload } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(new File([], 'empty.csv', { type: 'text/csv' }))

    expect(upload).not.toHaveBeenCalled()
    expect(within(row('empty.csv')).getByRole('alert')).toHaveTextContent('The file is empty')
  })

  it('refuses a file over maxBytes before uploading it', async () => {
    const { upload } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={1024} />)
    await pick(csv('big.csv', 2048))

    expect(upload).not.toHaveBeenCalled()
    expect(within(row('big.csv')).getByRole('alert')).toHaveTextContent('Too large: 2.0 KB, and the limit is 1.0 KB')
  })

  it('uploads the good files of a mixed pick and refuses the others', async () => {
    const { upload, calls } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(csv('good.csv'), new File(['x'], 'notes.docx'))

    expect(calls.map((c) => c.file.name)).toEqual(['good.csv'])
    expect(row('good.csv')).toHaveAttribute('data-state', 'uploading')
    expect(row('notes.docx')).toHaveAttribute('data-state', 'failed')
  })

  it('Cancel aborts the signal the uploader got and the row says cancelled', async () => {
    const { upload, calls } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    await pick(csv('a.csv'), csv('b.csv'))

    await userEvent.click(screen.getByRole('button', { name: 'Cancel upload of a.csv' }))
    expect(calls[0]!.signal.aborted).toBe(true)
    expect(calls[1]!.signal.aborted).toBe(false)
    expect(row('a.csv')).toHaveAttribute('data-state', 'cancelled')
    expect(row('a.csv')).toHaveTextContent('Cancelled: nothing was kept')
    expect(within(row('a.csv')).queryByRole('alert')).not.toBeInTheDocument()
    expect(row('b.csv')).toHaveAttribute('data-state', 'uploading')
  })

  it('on success links to the preview of the file and calls onUploaded', async () => {
    const { upload, calls } = fakeUploader()
    const onUploaded = vi.fn()
    render(<FileUpload upload={upload} maxBytes={10 * MB} onUploaded={onUploaded} />)
    const file = csv('City People.csv')
    await pick(file)

    const meta = metaFor(file, 'f_1 2')
    await act(async () => calls[0]!.resolve(meta))
    expect(row('City People.csv')).toHaveAttribute('data-state', 'done')
    expect(within(row('City People.csv')).getByRole('link', { name: 'Preview and submit' })).toHaveAttribute('href', '/files/?id=f_1%202')
    expect(within(row('City People.csv')).queryByRole('progressbar')).not.toBeInTheDocument()
    expect(onUploaded).toHaveBeenCalledExactlyOnceWith(meta)
  })

  it('does not call onUploaded for a refused upload', async () => {
    const { upload, calls } = fakeUploader()
    const onUploaded = vi.fn()
    render(<FileUpload upload={upload} maxBytes={10 * MB} onUploaded={onUploaded} />)
    await pick(csv('a.csv'))
    await act(async () => calls[0]!.reject(new ApiError(413, 'TOO_LARGE', 'too large')))
    expect(onUploaded).not.toHaveBeenCalled()
  })

  it('uploads files dropped on the drop zone', async () => {
    const { upload } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    const zone = screen.getByRole('button', { name: /Upload CSV files/ })

    fireEvent.dragOver(zone, { dataTransfer: { files: [] } })
    expect(zone).toHaveAttribute('data-dragging', 'true')
    fireEvent.drop(zone, { dataTransfer: { files: [csv('dropped.csv'), new File([], 'empty.csv')] } })

    expect(zone).not.toHaveAttribute('data-dragging')
    expect(upload).toHaveBeenCalledTimes(1)
    expect(upload.mock.calls[0]![0].name).toBe('dropped.csv')
    expect(row('dropped.csv')).toHaveAttribute('data-state', 'uploading')
    expect(within(row('empty.csv')).getByRole('alert')).toHaveTextContent('The file is empty')
  })

  it('opens the file chooser from the keyboard', async () => {
    const { upload } = fakeUploader()
    render(<FileUpload upload={upload} maxBytes={10 * MB} />)
    const click = vi.spyOn(screen.getByTestId('file-input'), 'click')
    screen.getByRole('button', { name: /Upload CSV files/ }).focus()
    await userEvent.keyboard('{Enter}')
    expect(click).toHaveBeenCalled()
  })

  it('says the size limit', () => {
    render(<FileUpload upload={fakeUploader().upload} maxBytes={5 * 1024 * MB} />)
    expect(screen.getByText(/up to 5\.0 GB each/)).toBeInTheDocument()
  })
})
