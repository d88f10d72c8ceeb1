'use client'

import { CheckCircle2, Circle, ExternalLink, Loader2, RotateCcw, TerminalSquare, XCircle } from 'lucide-react'
import Link from 'next/link'
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import type { Job, JobStep } from '@/lib/api/client'
import { formatCount, formatDuration } from '@/lib/format'
import { cn } from '@/lib/utils'

const elapsed = (from: string, to: string | undefined, now: number) => (to ? Date.parse(to) : now) - Date.parse(from)

export function JobStatusBadge({ status }: { status: Job['status'] }) {
  if (status === 'SUCCEEDED') return <Badge variant="success">Succeeded</Badge>
  if (status === 'FAILED') return <Badge variant="destructive">Failed</Badge>
  return (
    <Badge variant="secondary" className="gap-1">
      <Loader2 className="size-3 animate-spin" aria-hidden />
      Running
    </Badge>
  )
}

/**
 * An ingest job as the Step Functions console shows an execution: each state of the workflow in
 * order with its status, duration, passes and retries, on a timeline; the error in words when it
 * failed; the rows loaded and a way to query the table when it succeeded.
 */
export function JobStatus({ job, now = Date.now(), onRetrySkipping }: { job: Job; now?: number; onRetrySkipping?: () => void }) {
  const total = Math.max(1, elapsed(job.startedAt, job.endedAt, now))
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <span className="flex items-center gap-2">
          <span className="text-muted-foreground">Status</span>
          <span data-testid="job-status">
            <JobStatusBadge status={job.status} />
          </span>
        </span>
        <span>
          <span className="text-muted-foreground">Table </span>
          <span className="font-mono font-medium">{job.table.name}</span>
        </span>
        <span>
          <span className="text-muted-foreground">Mode </span>
          {job.mode}
        </span>
        <span>
          <span className="text-muted-foreground">Duration </span>
          <span className="tabular-nums">{formatDuration(total)}</span>
        </span>
        {/* aws mode: the API links the execution; a new tab that cannot reach back to this one. */}
        {job.consoleUrl && (
          <a href={job.consoleUrl} target="_blank" rel="noopener noreferrer" className="flex items-center gap-1 text-primary hover:underline">
            Open in Step Functions console
            <ExternalLink className="size-3.5" aria-hidden />
          </a>
        )}
      </div>

      {job.status === 'FAILED' && job.error && (
        <Alert variant="destructive">
          <XCircle aria-hidden />
          <AlertTitle>The load failed; nothing was added to {job.table.name}</AlertTitle>
          <AlertDescription>
            <p>{job.error.message}</p>
            {(job.error.line !== undefined || job.error.column) && (
              <p className="font-mono text-xs">
                {job.error.line !== undefined && `line ${job.error.line}`}
                {job.error.column && ` · column ${job.error.column}`}
                {job.error.value !== undefined && ` · value ${JSON.stringify(job.error.value)}`}
              </p>
            )}
            {onRetrySkipping && job.error.line !== undefined && (
              <Button variant="outline" size="sm" className="mt-2 text-foreground" onClick={onRetrySkipping}>
                <RotateCcw aria-hidden />
                Load again, skipping rows that do not fit
              </Button>
            )}
          </AlertDescription>
        </Alert>
      )}

      {job.status === 'SUCCEEDED' && (
        <div className="flex flex-wrap items-center justify-between gap-4 rounded-lg border border-success/40 bg-success/10 px-4 py-3">
          <div className="text-sm">
            <p className="font-medium">
              {job.table.name} is ready: {formatCount(job.rows?.loaded ?? job.table.rowCount ?? 0)} rows loaded
              {job.table.columns && `, ${job.table.columns.length} columns`}
            </p>
            {job.rows && job.rows.rejected > 0 && (
              <p className="text-muted-foreground">
                {job.rows.rejected === 1 ? '1 row was skipped' : `${formatCount(job.rows.rejected)} rows were skipped`}, e.g. line {job.rows.rejectedRows[0]?.line}: {job.rows.rejectedRows[0]?.message}
              </p>
            )}
          </div>
          <Button asChild>
            <Link href={`/query/?table=${encodeURIComponent(job.table.name)}`}>
              <TerminalSquare aria-hidden />
              Query {job.table.name}
            </Link>
          </Button>
        </div>
      )}

      <ol className="relative space-y-0" aria-label="Workflow steps">
        {job.steps.map((step, i) => (
          <StepRow key={`${step.name}-${i}`} step={step} jobStart={Date.parse(job.startedAt)} total={total} now={now} last={i === job.steps.length - 1} />
        ))}
        {job.status === 'RUNNING' && job.steps.length === 0 && <li className="text-sm text-muted-foreground">Starting the workflow…</li>}
      </ol>
    </div>
  )
}

function StepRow({ step, jobStart, total, now, last }: { step: JobStep; jobStart: number; total: number; now: number; last: boolean }) {
  const took = elapsed(step.startedAt, step.endedAt, now)
  const left = ((Date.parse(step.startedAt) - jobStart) / total) * 100
  const width = Math.max(0.8, (took / total) * 100)
  return (
    <li className="grid grid-cols-[1.5rem_minmax(10rem,16rem)_minmax(0,1fr)_5rem] items-center gap-3 py-1.5" data-step={step.name} data-status={step.status}>
      <span className="relative flex justify-center">
        <StepIcon status={step.status} />
        {!last && <span className="absolute top-5 h-5 w-px bg-border" aria-hidden />}
      </span>
      <span className="min-w-0">
        <span className="block truncate text-sm font-medium">{humanize(step.name)}</span>
        <span className="flex flex-wrap gap-1 text-xs text-muted-foreground">
          {step.type}
          {step.passes !== undefined && step.passes > 1 && <Badge variant="outline" className="px-1 py-0 text-[10px]">{step.passes} passes</Badge>}
          {step.retries !== undefined && step.retries > 0 && (
            <Badge variant="warning" className="gap-0.5 px-1 py-0 text-[10px]">
              <RotateCcw className="size-2.5" aria-hidden />
              {step.retries} {step.retries === 1 ? 'retry' : 'retries'}
            </Badge>
          )}
        </span>
        {/* The final Fail state repeats the error the alert above already shows. */}
        {step.error && step.type !== 'Fail' && <span className="block text-xs text-destructive">{step.error}</span>}
      </span>
      <span className="relative h-2 rounded-full bg-muted" aria-hidden>
        <span
          className={cn(
            'absolute inset-y-0 rounded-full',
            step.status === 'SUCCEEDED' && 'bg-success',
            step.status === 'RUNNING' && 'animate-pulse bg-primary',
            (step.status === 'FAILED' || step.status === 'CAUGHT') && 'bg-destructive',
          )}
          style={{ left: `${Math.min(99, left)}%`, width: `${Math.min(100 - Math.min(99, left), width)}%` }}
        />
      </span>
      <span className="text-right text-xs tabular-nums text-muted-foreground">{formatDuration(took)}</span>
    </li>
  )
}

function StepIcon({ status }: { status: JobStep['status'] }) {
  if (status === 'SUCCEEDED') return <CheckCircle2 className="size-5 text-success" aria-label="succeeded" />
  if (status === 'RUNNING') return <Loader2 className="size-5 animate-spin text-primary" aria-label="running" />
  if (status === 'FAILED' || status === 'CAUGHT') return <XCircle className="size-5 text-destructive" aria-label={status.toLowerCase()} />
  return <Circle className="size-5 text-muted-foreground" aria-hidden />
}

/** "StartCrawler" -> "Start crawler". */
export function humanize(stateName: string): string {
  const words = stateName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
  return words.charAt(0) + words.slice(1).toLowerCase()
}
