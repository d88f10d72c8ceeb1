'use client'

import { ArrowLeft } from 'lucide-react'
import Link from 'next/link'
import { useRouter, useSearchParams } from 'next/navigation'
import { Suspense, useState } from 'react'
import { PageHeader } from '@/components/app-frame'
import { DialectControls, DialectSummary, FilePreview, type DialectOverride } from '@/components/file-preview'
import { SubmitForm } from '@/components/submit-form'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import type { Api } from '@/lib/api/client'
import { useSession } from '@/lib/auth'
import { formatBytes } from '@/lib/format'
import { useResource } from '@/lib/use-resource'

/** One upload: its first rows, what was detected, and the form that loads it into a table. */
export default function FilePage() {
  return (
    <Suspense>
      <FileFromQuery />
    </Suspense>
  )
}

function FileFromQuery() {
  const session = useSession()
  const fileId = useSearchParams().get('id')
  if (session.status !== 'ready') return null
  if (!fileId) return <Missing message="No file was named. Pick one from your files." />
  return <FileView api={session.api} fileId={fileId} />
}

function FileView({ api, fileId }: { api: Api; fileId: string }) {
  const router = useRouter()
  const [override, setOverride] = useState<DialectOverride>({})
  const preview = useResource(
    () =>
      api.preview({
        fileId,
        limit: 100,
        ...(override.header !== undefined ? { header: override.header ? 'true' : 'false' } : {}),
        ...(override.delimiter ? { delimiter: override.delimiter } : {}),
        ...(override.encoding ? { encoding: override.encoding } : {}),
      }),
    [api, fileId, override.header, override.delimiter, override.encoding],
  )
  const tables = useResource(() => api.tables(), [api])

  // A correction the file cannot be read with is the user's to undo, not a dead end.
  if (preview.error && Object.keys(override).length === 0) return <Missing message={preview.error.message} />
  const p = preview.data
  return (
    <>
      <PageHeader
        title={p?.name ?? 'Loading…'}
        description={p ? `${formatBytes(p.size)} · check the rows, then load the file into a table` : undefined}
        actions={
          <Button asChild variant="ghost" size="sm">
            <Link href="/">
              <ArrowLeft aria-hidden />
              All files
            </Link>
          </Button>
        }
      />
      <div className="grid gap-6 p-8 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Preview</CardTitle>
            <CardDescription>{p ? <DialectSummary preview={p} /> : 'Reading the head of the file…'}</CardDescription>
          </CardHeader>
          <CardContent className="space-y-4">
            {p && p.format !== 'parquet' && <DialectControls dialect={p.dialect} onChange={(change) => setOverride((o) => ({ ...o, ...change }))} />}
            {preview.error && (
              <p role="alert" className="text-sm text-destructive">
                {preview.error.message}
              </p>
            )}
            {p ? <FilePreview preview={p} /> : <Skeleton className="h-72 w-full" />}
          </CardContent>
        </Card>
        <Card className="h-fit">
          <CardHeader>
            <CardTitle>Load into a table</CardTitle>
            <CardDescription>
              {p?.format === 'parquet'
                ? 'The workflow takes the columns with their own types, checks the table can read them, and catalogs it: no crawl.'
                : 'The workflow crawls the whole file, checks every row against the types, and catalogs it.'}
            </CardDescription>
          </CardHeader>
          <CardContent>
            {p && tables.data ? (
              <SubmitForm
                fileId={fileId}
                fileName={p.name}
                format={p.format}
                tables={tables.data.map((t) => t.name)}
                fileColumns={p.columns}
                tableColumns={Object.fromEntries(tables.data.map((t) => [t.name, t.columns]))}
                submit={(body) => api.submit(Object.keys(override).length > 0 ? { ...body, dialect: override } : body)}
                onSubmitted={(s) => router.push(`/jobs/?id=${encodeURIComponent(s.jobId)}`)}
              />
            ) : (
              <Skeleton className="h-48 w-full" />
            )}
          </CardContent>
        </Card>
      </div>
    </>
  )
}

function Missing({ message }: { message: string }) {
  return (
    <div className="p-8">
      <Alert variant="destructive" className="max-w-xl">
        <AlertTitle>This file cannot be shown</AlertTitle>
        <AlertDescription>
          <p>{message}</p>
          <Link href="/" className="mt-2 inline-block font-medium underline">
            Back to your files
          </Link>
        </AlertDescription>
      </Alert>
    </div>
  )
}
