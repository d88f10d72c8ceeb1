'use client'

import { AlertCircle, ChartColumn, ChevronDown, ChevronLeft, ChevronRight, Download, Link2, Loader2, Play, Square, Table2, TerminalSquare } from 'lucide-react'
import { useEffect, useRef, useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { Button } from '@/components/ui/button'
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from '@/components/ui/dropdown-menu'
import { Kbd } from '@/components/ui/kbd'
import { toast } from '@/components/ui/sonner'
import { Tooltip, TooltipContent, TooltipTrigger } from '@/components/ui/tooltip'
import type { Api, Column } from '@/lib/api/client'
import { encodeChart, fitChart, type ChartSettings } from '@/lib/chart-data'
import { formatBytes, formatCount, formatDuration } from '@/lib/format'
import { ResultChart } from './result-chart'
import { ResultsGrid } from './results-grid'
import { SqlEditor, type SqlEditorHandle } from './sql-editor'
import { useQueryRunner, type Ended, type RunState } from './use-query-runner'

export type QueryExecutionHandle = SqlEditorHandle

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)

/**
 * The SQL console: an editor with autocomplete of the user's tables, Run (Ctrl/Cmd+Enter) and
 * Cancel, the time elapsed while it runs, then the result in a virtualised grid with paging,
 * row count, duration and a CSV export, or a chart of it (`chart`: shown instead of the grid when
 * set; the caller keeps it, in the shared link) - or the error, with the offending line marked.
 */
export function QueryExecution({ api, schema, sql, onSqlChange, onEnded, autoRun, editorRef, chart, onChartChange }: {
  api: Api
  schema: Record<string, Column[]>
  sql: string
  onSqlChange: (sql: string) => void
  onEnded?: (ended: Ended) => void
  autoRun?: boolean
  editorRef?: React.Ref<SqlEditorHandle>
  chart?: ChartSettings
  onChartChange?: (chart: ChartSettings | undefined) => void
}) {
  const { state, execute, cancel, page } = useQueryRunner(api, onEnded)
  const sqlRef = useRef(sql)
  sqlRef.current = sql
  const running = state.status === 'running'
  const runNow = () => {
    if (sqlRef.current.trim() && state.status !== 'running') void execute(sqlRef.current)
  }
  const runRef = useRef(runNow)
  runRef.current = runNow

  useEffect(() => {
    if (autoRun) runRef.current()
  }, [autoRun])

  const errorAt = state.status === 'failed' && state.sql === sql ? state : undefined

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="h-44 shrink-0 resize-y overflow-hidden border-b" style={{ minHeight: '6rem' }}>
        <SqlEditor ref={editorRef} value={sql} onChange={onSqlChange} onRun={() => runRef.current()} schema={schema} errorLine={errorAt?.line} errorColumn={errorAt?.column} />
      </div>
      <div className="flex shrink-0 items-center gap-2 border-b px-3 py-2">
        <Tooltip>
          <TooltipTrigger asChild>
            <Button size="sm" onClick={runNow} disabled={running || !sql.trim()}>
              {running ? <Loader2 className="animate-spin" aria-hidden /> : <Play aria-hidden />}
              Run
            </Button>
          </TooltipTrigger>
          <TooltipContent>
            Run the query <Kbd>{isMac() ? '⌘' : 'Ctrl'}</Kbd> <Kbd>Enter</Kbd>
          </TooltipContent>
        </Tooltip>
        <Button size="sm" variant="outline" onClick={() => void cancel()} disabled={!running}>
          <Square aria-hidden />
          Cancel
        </Button>
        <span className="hidden text-xs text-muted-foreground sm:inline">
          <Kbd>{isMac() ? '⌘' : 'Ctrl'}</Kbd> + <Kbd>Enter</Kbd> to run
        </span>
        <Button size="sm" variant="ghost" onClick={() => void copyShareLink(sql, chart)} disabled={!sql.trim()} title="Copy a link that opens this SQL (and its chart)">
          <Link2 aria-hidden />
          Copy link
        </Button>
        <div className="ml-auto flex items-center gap-3 text-xs text-muted-foreground" aria-live="polite">
          <Status state={state} onRunAgain={() => state.status === 'succeeded' && void execute(state.sql, { reuse: false })} />
        </div>
      </div>
      <div className="flex min-h-0 flex-1 flex-col">
        <Results state={state} api={api} onPage={page} chart={chart} {...(onChartChange ? { onChartChange } : {})} />
      </div>
    </div>
  )
}

function Status({ state, onRunAgain }: { state: RunState; onRunAgain: () => void }) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (state.status !== 'running') return
    const timer = setInterval(() => setNow(Date.now()), 100)
    return () => clearInterval(timer)
  }, [state.status])
  if (state.status === 'running') return <span data-testid="query-elapsed">Running · {formatDuration(Math.max(0, now - state.startedAt))}</span>
  if (state.status === 'succeeded') {
    const r = state.result
    return (
      <span data-testid="query-summary">
        {formatCount(r.rowCount ?? r.rows?.length ?? 0)} {r.rowCount === 1 ? 'row' : 'rows'} · {formatDuration(r.stats?.elapsedMs ?? 0)}
        {r.stats?.scannedBytes !== undefined && (
          <span title="Bytes the engine read to answer (what Athena bills for)" data-testid="query-scanned">
            {' '}
            · {formatBytes(r.stats.scannedBytes)} scanned
          </span>
        )}
        {r.reusedFrom && (
          <>
            <span title="The same SQL ran since your tables last changed: this is its result, so nothing ran again." data-testid="query-reused">
              {' '}
              · reused result ·{' '}
            </span>
            <button type="button" className="underline underline-offset-2 hover:text-foreground" onClick={onRunAgain}>
              Run again
            </button>
          </>
        )}
      </span>
    )
  }
  if (state.status === 'cancelled') return <span>Cancelled</span>
  return null
}

function Results({ state, api, onPage, chart, onChartChange }: {
  state: RunState
  api: Api
  onPage: (delta: 1 | -1) => Promise<void>
  chart: ChartSettings | undefined
  onChartChange?: (chart: ChartSettings | undefined) => void
}) {
  if (state.status === 'idle') {
    return (
      <EmptyState icon={TerminalSquare} title="Run a query to see its result" className="m-4">
        Write SQL above and press Run. Click a table or column on the left to insert its name.
      </EmptyState>
    )
  }
  if (state.status === 'running') {
    return (
      <div className="flex flex-1 items-center justify-center gap-2 text-sm text-muted-foreground">
        <Loader2 className="size-4 animate-spin" aria-hidden />
        Running… long queries keep going on the server; you can cancel them.
      </div>
    )
  }
  if (state.status === 'cancelled') {
    return <p className="m-4 text-sm text-muted-foreground">The query was cancelled.</p>
  }
  if (state.status === 'failed') {
    return (
      <div role="alert" className="m-4 rounded-md border border-destructive/40 bg-destructive/10 px-4 py-3 text-sm">
        <p className="flex items-center gap-2 font-medium text-destructive">
          <AlertCircle className="size-4" aria-hidden />
          {state.line !== undefined ? `Error on line ${state.line}${state.column !== undefined ? `, column ${state.column}` : ''}` : 'The query failed'}
        </p>
        <pre className="mt-1 whitespace-pre-wrap font-mono text-xs text-foreground/90">{state.message}</pre>
      </div>
    )
  }
  const r = state.result
  const columns = r.columns ?? []
  const rows = r.rows ?? []
  const offset = r.offset ?? 0
  const total = r.rowCount ?? rows.length
  const fitted = chart ? fitChart(chart, columns) : undefined
  return (
    <>
      {chart ? (
        <ResultChart columns={columns} rows={rows} offset={offset} total={total} settings={fitted} onChange={(next) => onChartChange?.(next)} />
      ) : (
        <ResultsGrid columns={columns} rows={rows} offset={offset} className="m-3 mb-0 min-h-0 flex-1" />
      )}
      <div className="flex shrink-0 items-center gap-2 px-3 py-2 text-xs text-muted-foreground">
        {onChartChange && (
          <div className="flex" role="group" aria-label="Show the result as">
            <Button size="sm" variant={chart ? 'outline' : 'secondary'} className="rounded-r-none" aria-pressed={!chart} onClick={() => onChartChange(undefined)}>
              <Table2 aria-hidden />
              Table
            </Button>
            <Button
              size="sm"
              variant={chart ? 'secondary' : 'outline'}
              className="rounded-l-none border-l-0"
              aria-pressed={Boolean(chart)}
              onClick={() => !chart && onChartChange(fitChart(undefined, columns) ?? { kind: 'bar', x: columns[0]?.name ?? '', y: [] })}
            >
              <ChartColumn aria-hidden />
              Chart
            </Button>
          </div>
        )}
        <span data-testid="page-range">
          {rows.length === 0 ? 'No rows' : `Rows ${formatCount(offset + 1)}–${formatCount(offset + rows.length)} of ${formatCount(total)}`}
        </span>
        <div className="ml-auto flex items-center gap-1">
          <Button size="sm" variant="outline" onClick={() => void onPage(-1)} disabled={state.paging || state.pages.length <= 1} aria-label="Previous page">
            <ChevronLeft aria-hidden />
            Previous
          </Button>
          <Button size="sm" variant="outline" onClick={() => void onPage(1)} disabled={state.paging || !r.nextToken} aria-label="Next page">
            Next
            <ChevronRight aria-hidden />
          </Button>
          <ExportButton api={api} queryId={r.queryId} />
        </div>
      </div>
    </>
  )
}

/** plain: the data as it is; spreadsheet: text cells that would run as formulas get a leading '. */
type ExportFormat = 'plain' | 'spreadsheet'

/**
 * Saves the whole result as CSV, streamed by the browser to disk: a plain link when no token is
 * needed, else a signed link the API makes for this one export (valid for a minute). Beside it,
 * a menu offers the CSV for spreadsheets (?safe=spreadsheet), which Excel and the like open
 * without running cells such as =HYPERLINK(...) as formulas.
 */
function ExportButton({ api, queryId }: { api: Api; queryId: string }) {
  const [busy, setBusy] = useState(false)
  const download = async (format: ExportFormat) => {
    setBusy(true)
    try {
      const needsToken = (await api.auth.token()) !== null
      const url = needsToken ? (await api.downloadLink(queryId)).url : api.exportUrl(queryId)
      if (format === 'spreadsheet') triggerDownload(`${url}${url.includes('?') ? '&' : '?'}safe=spreadsheet`, `${queryId}-spreadsheet.csv`)
      else triggerDownload(url, `${queryId}.csv`)
    } catch (e) {
      toast.error(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="flex" role="group" aria-label="Export">
      <Button size="sm" variant="outline" className="rounded-r-none" onClick={() => void download('plain')} disabled={busy}>
        {busy ? <Loader2 className="animate-spin" aria-hidden /> : <Download aria-hidden />}
        Export CSV
      </Button>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button size="sm" variant="outline" className="rounded-l-none border-l-0 px-1.5" aria-label="More export formats" disabled={busy}>
            <ChevronDown aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-72">
          <ExportItem title="CSV" hint="the data as it is" onSelect={() => void download('plain')} />
          <ExportItem
            title="CSV for spreadsheets (formulas neutralised)"
            hint="text starting with = + - @ gets a leading '"
            onSelect={() => void download('spreadsheet')}
          />
        </DropdownMenuContent>
      </DropdownMenu>
    </div>
  )
}

function ExportItem({ title, hint, onSelect }: { title: string; hint: string; onSelect: () => void }) {
  return (
    <DropdownMenuItem onSelect={onSelect} className="flex-col items-start gap-0">
      <span>{title}</span>{' '}
      <span className="text-xs text-muted-foreground">{hint}</span>
    </DropdownMenuItem>
  )
}

/** A link to the query page with this SQL (and chart) in it, for sharing (the receiver runs it as themselves). */
export function shareLink(sql: string, origin = window.location.origin, chart?: ChartSettings): string {
  return `${origin}/query/?sql=${encodeURIComponent(sql)}${chart ? `&chart=${encodeURIComponent(encodeChart(chart))}` : ''}`
}

async function copyShareLink(sql: string, chart?: ChartSettings) {
  try {
    await navigator.clipboard.writeText(shareLink(sql, window.location.origin, chart))
    toast.success('Link copied: it opens this SQL in the query page')
  } catch {
    toast.error('The browser did not allow copying; copy the address from the page instead')
  }
}

function triggerDownload(href: string, fileName: string) {
  const a = document.createElement('a')
  a.href = href
  a.download = fileName
  document.body.append(a)
  a.click()
  a.remove()
}

export type { Ended }
