'use client'

import { CheckCircle2, FileText, UploadCloud, X, XCircle } from 'lucide-react'
import Link from 'next/link'
import { useCallback, useRef, useState, type DragEvent } from 'react'
import { Button } from '@/components/ui/button'
import { Progress } from '@/components/ui/progress'
import { ApiError, type Auth, type FileMeta } from '@/lib/api/client'
import { uploadFile, type UploadProgress } from '@/lib/api/upload'
import { ACCEPT_ATTRIBUTE, fileProblem } from '@/lib/check-file'
import { formatBytes } from '@/lib/format'
import { cn } from '@/lib/utils'

type Item = {
  key: string
  name: string
  size: number
  state: 'uploading' | 'done' | 'failed' | 'cancelled'
  loaded: number
  /** Bytes of the whole request (the multipart body is a little bigger than the file). */
  total: number
  message?: string
  file?: FileMeta
  abort?: AbortController
}

export type Uploader = (file: File, opts: { onProgress: (p: UploadProgress) => void; signal: AbortSignal }) => Promise<FileMeta>

/** The real uploader: multipart POST /api/upload with progress events. */
export const httpUploader = (auth: Auth): Uploader => (file, opts) => uploadFile(file, { auth, ...opts })

/**
 * Drop CSV files here or pick them: each one uploads with its own progress bar and a cancel button;
 * files that cannot be a CSV, are empty or too large are refused before any byte is sent, and the
 * server's reason is shown when it refuses one.
 */
export function FileUpload({ upload, maxBytes, onUploaded }: { upload: Uploader; maxBytes: number; onUploaded?: (file: FileMeta) => void }) {
  const [items, setItems] = useState<Item[]>([])
  const [dragging, setDragging] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const counter = useRef(0)

  const update = (key: string, patch: Partial<Item>) => setItems((all) => all.map((i) => (i.key === key ? { ...i, ...patch } : i)))

  const start = useCallback(
    (files: File[]) => {
      for (const file of files) {
        const key = `${++counter.current}`
        const problem = fileProblem(file, maxBytes)
        if (problem) {
          setItems((all) => [{ key, name: file.name, size: file.size, state: 'failed', loaded: 0, total: file.size, message: problem }, ...all])
          continue
        }
        const abort = new AbortController()
        setItems((all) => [{ key, name: file.name, size: file.size, state: 'uploading', loaded: 0, total: file.size, abort }, ...all])
        upload(file, { signal: abort.signal, onProgress: (p) => update(key, { loaded: p.loaded, total: Math.max(p.total, p.loaded) }) })
          .then((meta) => {
            update(key, { state: 'done', loaded: file.size, total: file.size, file: meta, abort: undefined })
            onUploaded?.(meta)
          })
          .catch((error: unknown) => {
            const cancelled = error instanceof ApiError && error.code === 'CANCELLED'
            update(key, {
              state: cancelled ? 'cancelled' : 'failed',
              message: cancelled ? 'Cancelled: nothing was kept' : error instanceof Error ? error.message : String(error),
              abort: undefined,
            })
          })
      }
    },
    [maxBytes, upload, onUploaded],
  )

  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setDragging(false)
    start([...e.dataTransfer.files])
  }

  return (
    <div className="space-y-3">
      <div
        role="button"
        tabIndex={0}
        aria-label="Upload CSV files: drop them here or press Enter to choose"
        onClick={() => input.current?.click()}
        onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), input.current?.click())}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-dragging={dragging || undefined}
        className={cn(
          'flex cursor-pointer flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed px-6 py-10 text-center outline-none transition-colors',
          'hover:border-primary/60 hover:bg-accent/40 focus-visible:ring-[3px] focus-visible:ring-ring/50',
          dragging && 'border-primary bg-accent/60',
        )}
      >
        <div className="flex size-11 items-center justify-center rounded-full bg-primary/10 text-primary">
          <UploadCloud className="size-5" aria-hidden />
        </div>
        <p className="font-medium">Drop CSV files here, or click to choose</p>
        <p className="text-sm text-muted-foreground">.csv, .tsv or .txt, gzipped or not, or .parquet, up to {formatBytes(maxBytes)} each</p>
        <input
          ref={input}
          type="file"
          multiple
          accept={ACCEPT_ATTRIBUTE}
          className="sr-only"
          data-testid="file-input"
          tabIndex={-1}
          onChange={(e) => {
            start([...(e.target.files ?? [])])
            e.target.value = ''
          }}
        />
      </div>
      {items.length > 0 && (
        <ul className="space-y-2" aria-label="Uploads">
          {items.map((item) => (
            <UploadRow key={item.key} item={item} />
          ))}
        </ul>
      )}
    </div>
  )
}

function UploadRow({ item }: { item: Item }) {
  const percent = item.total > 0 ? Math.min(100, Math.round((item.loaded / item.total) * 100)) : 0
  // Shown in the file's own bytes: the request's overhead is not the user's concern.
  const sent = Math.round((percent / 100) * item.size)
  return (
    <li className="flex items-center gap-3 rounded-md border bg-card px-3 py-2" aria-label={item.name} data-state={item.state}>
      <StateIcon state={item.state} />
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline justify-between gap-2">
          <span className="truncate text-sm font-medium">{item.name}</span>
          <span className="shrink-0 text-xs tabular-nums text-muted-foreground">
            {item.state === 'uploading' ? `${formatBytes(sent)} of ${formatBytes(item.size)} · ${percent}%` : formatBytes(item.size)}
          </span>
        </div>
        {item.state === 'uploading' && <Progress value={percent} className="mt-1.5 h-1.5" aria-label={`Uploading ${item.name}`} />}
        {item.message && (
          <p role={item.state === 'failed' ? 'alert' : undefined} className={cn('mt-0.5 text-xs', item.state === 'failed' ? 'text-destructive' : 'text-muted-foreground')}>
            {item.message}
          </p>
        )}
      </div>
      {item.state === 'uploading' && (
        <Button variant="ghost" size="sm" onClick={() => item.abort?.abort()} aria-label={`Cancel upload of ${item.name}`}>
          <X aria-hidden />
          Cancel
        </Button>
      )}
      {item.state === 'done' && item.file && (
        <Button asChild size="sm">
          <Link href={`/files/?id=${encodeURIComponent(item.file.fileId)}`}>Preview and submit</Link>
        </Button>
      )}
    </li>
  )
}

function StateIcon({ state }: { state: Item['state'] }) {
  if (state === 'done') return <CheckCircle2 className="size-5 shrink-0 text-success" aria-label="Uploaded" />
  if (state === 'failed') return <XCircle className="size-5 shrink-0 text-destructive" aria-label="Refused" />
  if (state === 'cancelled') return <XCircle className="size-5 shrink-0 text-muted-foreground" aria-label="Cancelled" />
  return <FileText className="size-5 shrink-0 text-muted-foreground" aria-label="Uploading" />
}
