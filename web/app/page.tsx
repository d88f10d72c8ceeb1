'use client'

import { useCallback, useMemo, useState } from 'react'
import { PageHeader } from '@/components/app-frame'
import { ConfirmDialog } from '@/components/confirm-dialog'
import { FileUpload, httpUploader } from '@/components/file-upload'
import { FilesList } from '@/components/files-list'
import { TablesList } from '@/components/tables-list'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { toast } from '@/components/ui/sonner'
import type { FileMeta, Table } from '@/lib/api/client'
import { usePages } from '@/lib/api/use-pages'
import { useSession } from '@/lib/auth'
import { useResource } from '@/lib/use-resource'

/** Data: upload CSV files, see the uploads and the tables made from them. */
export default function DataPage() {
  const session = useSession()
  if (session.status !== 'ready') return null
  return <Data api={session.api} maxBytes={session.config.maxUploadBytes} />
}

function Data({ api, maxBytes }: { api: Extract<ReturnType<typeof useSession>, { status: 'ready' }>['api']; maxBytes: number }) {
  const files = usePages(async (token) => {
    const page = await api.files(token)
    return { items: page.files, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }, [api])
  const tables = useResource(() => api.tables(), [api])
  const [deleting, setDeleting] = useState<FileMeta | null>(null)
  const [dropping, setDropping] = useState<Table | null>(null)
  const upload = useMemo(() => httpUploader(api.auth), [api])
  const reloadFiles = files.reload
  const onUploaded = useCallback(() => reloadFiles(), [reloadFiles])

  return (
    <>
      <PageHeader title="Data" description="Upload CSV files, check their rows, and load them into tables you can query with SQL." />
      <div className="grid max-w-6xl gap-6 p-8">
        <Card>
          <CardHeader>
            <CardTitle>Upload</CardTitle>
            <CardDescription>Files are checked and previewed before anything is loaded.</CardDescription>
          </CardHeader>
          <CardContent>
            <FileUpload upload={upload} maxBytes={maxBytes} onUploaded={onUploaded} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Files</CardTitle>
            <CardDescription>Your uploads, newest first. Open one to preview it and load it into a table.</CardDescription>
          </CardHeader>
          <CardContent>
            {files.error ? <p role="alert" className="text-sm text-destructive">{files.error.message}</p> : <FilesList files={files.items} loading={files.loading} onDelete={setDeleting} more={files.more ? { onLoadMore: files.loadMore, loading: files.loadingMore, error: files.moreError } : undefined} />}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Tables</CardTitle>
            <CardDescription>What you can query.</CardDescription>
          </CardHeader>
          <CardContent>
            {tables.error ? <p role="alert" className="text-sm text-destructive">{tables.error.message}</p> : <TablesList tables={tables.data} loading={tables.loading} onDelete={setDropping} />}
          </CardContent>
        </Card>
      </div>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.name ?? 'this file'}?`}
        confirmLabel="Delete file"
        onConfirm={async () => {
          if (!deleting) return
          try {
            await api.deleteFile(deleting.fileId)
            toast.success(`Deleted ${deleting.name}`)
            files.reload()
          } catch (e) {
            toast.error(e instanceof Error ? e.message : String(e))
          }
        }}
      >
        The upload is removed. Tables already loaded from it keep their rows.
      </ConfirmDialog>
      <ConfirmDialog
        open={dropping !== null}
        onOpenChange={(open) => !open && setDropping(null)}
        title={`Drop the table ${dropping?.name ?? ''}?`}
        confirmLabel="Drop table"
        onConfirm={async () => {
          if (!dropping) return
          try {
            await api.deleteTable(dropping.name)
            toast.success(`Dropped ${dropping.name}`)
            tables.reload()
          } catch (e) {
            toast.error(e instanceof Error ? e.message : String(e))
          }
        }}
      >
        Its rows and its catalog entry are removed; queries of it stop working. The uploaded files stay.
      </ConfirmDialog>
    </>
  )
}
