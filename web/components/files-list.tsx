'use client'

import { FileSpreadsheet, Trash2 } from 'lucide-react'
import Link from 'next/link'
import { EmptyState } from '@/components/empty-state'
import { LoadMore, type More } from '@/components/load-more'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { FileMeta } from '@/lib/api/client'
import { delimiterName, formatBytes, formatWhen } from '@/lib/format'

/**
 * The user's uploads, newest first: open one to preview and submit it, or delete it. The API
 * answers a page at a time; `more` (when there are more) offers the next page.
 */
export function FilesList({ files, loading, onDelete, more }: { files: FileMeta[] | undefined; loading: boolean; onDelete: (file: FileMeta) => void; more?: More | undefined }) {
  if (!files && loading) return <Skeleton className="h-24 w-full" />
  if (!files || files.length === 0) {
    return (
      <EmptyState icon={FileSpreadsheet} title="No files yet">
        Upload a CSV above: you will see its rows before anything is loaded.
      </EmptyState>
    )
  }
  return (
    <>
      <Table aria-label="Uploaded files">
        <TableHeader>
          <TableRow>
            <TableHead>File</TableHead>
            <TableHead className="text-right">Size</TableHead>
            <TableHead>Format</TableHead>
            <TableHead>Uploaded</TableHead>
            <TableHead className="w-0" />
          </TableRow>
        </TableHeader>
        <TableBody>
          {files.map((file) => (
            <TableRow key={file.fileId}>
              <TableCell className="max-w-80">
                <Link href={`/files/?id=${encodeURIComponent(file.fileId)}`} className="block truncate font-medium text-primary hover:underline" title={file.name}>
                  {file.name}
                </Link>
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatBytes(file.size)}</TableCell>
              <TableCell>
                {file.format === 'parquet' ? (
                  // A Parquet file has no delimiter or encoding to show: its columns carry their own types.
                  <Badge variant="secondary">Parquet</Badge>
                ) : (
                  <div className="flex gap-1">
                    <Badge variant="secondary">{delimiterName(file.dialect.delimiter)}</Badge>
                    <Badge variant="outline">{file.dialect.encoding}</Badge>
                    {file.compression === 'gzip' && <Badge variant="outline">gzip</Badge>}
                  </div>
                )}
              </TableCell>
              <TableCell className="text-muted-foreground" title={file.uploadedAt}>
                {formatWhen(file.uploadedAt)}
              </TableCell>
              <TableCell>
                <div className="flex justify-end gap-1">
                  <Button asChild size="sm" variant="outline">
                    <Link href={`/files/?id=${encodeURIComponent(file.fileId)}`}>Preview</Link>
                  </Button>
                  <Button size="icon" variant="ghost" className="size-8" aria-label={`Delete ${file.name}`} onClick={() => onDelete(file)}>
                    <Trash2 aria-hidden />
                  </Button>
                </div>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {more && <LoadMore more={more} />}
    </>
  )
}
