'use client'

import { Workflow } from 'lucide-react'
import Link from 'next/link'
import { useRouter, useSearchParams } from 'next/navigation'
import { Suspense, useEffect, useState } from 'react'
import { PageHeader } from '@/components/app-frame'
import { EmptyState } from '@/components/empty-state'
import { LoadMore } from '@/components/load-more'
import { JobStatus, JobStatusBadge } from '@/components/job-status'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Card, CardContent } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { toast } from '@/components/ui/sonner'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { Api, Job } from '@/lib/api/client'
import { usePages } from '@/lib/api/use-pages'
import { useSession } from '@/lib/auth'
import { formatCount, formatWhen } from '@/lib/format'

export default function JobsPage() {
  return (
    <Suspense>
      <JobsFromQuery />
    </Suspense>
  )
}

function JobsFromQuery() {
  const session = useSession()
  const jobId = useSearchParams().get('id')
  if (session.status !== 'ready') return null
  return jobId ? <LiveJob api={session.api} jobId={jobId} /> : <RecentJobs api={session.api} />
}

const POLL_MS = 500

/** Follows a job until it ends, polling its status. */
function LiveJob({ api, jobId }: { api: Api; jobId: string }) {
  const router = useRouter()
  const [job, setJob] = useState<Job>()
  const [error, setError] = useState<string>()
  const [now, setNow] = useState(() => Date.now())

  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const poll = async () => {
      try {
        const next = await api.job(jobId)
        if (stopped) return
        setJob(next)
        setNow(Date.now())
        if (next.status === 'RUNNING') timer = setTimeout(poll, POLL_MS)
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : String(e))
      }
    }
    void poll()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [api, jobId])

  return (
    <>
      <PageHeader
        title={job ? `Loading ${job.fileName} into ${job.table.name}` : 'Job'}
        description={<span className="font-mono text-xs">{jobId}</span>}
        actions={
          <Button asChild variant="ghost" size="sm">
            <Link href="/jobs/">All jobs</Link>
          </Button>
        }
      />
      <div className="max-w-5xl p-8">
        {error ? (
          <Alert variant="destructive">
            <AlertTitle>This job cannot be shown</AlertTitle>
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        ) : job ? (
          <Card>
            <CardContent>
              <JobStatus
                job={job}
                now={now}
                onRetrySkipping={async () => {
                  try {
                    const again = await api.submit({ fileId: job.fileId, table: job.table.name, mode: job.mode, onError: 'skip', dialect: job.dialect })
                    router.push(`/jobs/?id=${encodeURIComponent(again.jobId)}`)
                  } catch (e) {
                    toast.error(e instanceof Error ? e.message : String(e))
                  }
                }}
              />
            </CardContent>
          </Card>
        ) : (
          <Skeleton className="h-72 w-full" />
        )}
      </div>
    </>
  )
}

/** The user's jobs, newest first, with how each one went; older ones a page at a time. */
function RecentJobs({ api }: { api: Api }) {
  const jobs = usePages(async (token) => {
    const page = await api.jobs(token)
    return { items: page.jobs, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
  }, [api])
  return (
    <>
      <PageHeader title="Jobs" description="Each load of a file into a table, newest first." />
      <div className="max-w-5xl p-8">
        {jobs.error ? (
          <Alert variant="destructive">
            <AlertTitle>The jobs cannot be shown</AlertTitle>
            <AlertDescription>{jobs.error.message}</AlertDescription>
          </Alert>
        ) : !jobs.items ? (
          <Skeleton className="h-40 w-full" />
        ) : jobs.items.length === 0 ? (
          <EmptyState icon={Workflow} title="No jobs yet" action={<Button asChild><Link href="/">Upload a file</Link></Button>}>
            Submitting a file starts a job: it crawls the file, checks its rows and catalogs it as a table.
          </EmptyState>
        ) : (
          <Card>
            <CardContent>
              <Table aria-label="Jobs">
                <TableHeader>
                  <TableRow>
                    <TableHead>File</TableHead>
                    <TableHead>Table</TableHead>
                    <TableHead>Status</TableHead>
                    <TableHead className="text-right">Rows</TableHead>
                    <TableHead>Started</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {jobs.items.map((j) => (
                    <TableRow key={j.jobId}>
                      <TableCell>
                        <Link className="font-medium text-primary hover:underline" href={`/jobs/?id=${encodeURIComponent(j.jobId)}`}>
                          {j.fileName}
                        </Link>
                      </TableCell>
                      <TableCell className="font-mono">{j.table.name}</TableCell>
                      <TableCell>
                        <JobStatusBadge status={j.status} />
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{j.rows ? formatCount(j.rows.loaded) : '-'}</TableCell>
                      <TableCell className="text-muted-foreground" title={j.startedAt}>
                        {formatWhen(j.startedAt)}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
              {jobs.more && <LoadMore more={{ onLoadMore: jobs.loadMore, loading: jobs.loadingMore, error: jobs.moreError }} />}
            </CardContent>
          </Card>
        )}
      </div>
    </>
  )
}
