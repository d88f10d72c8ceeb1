'use client'

import { History } from 'lucide-react'
import { EmptyState } from '@/components/empty-state'
import { LoadMore, type More } from '@/components/load-more'
import type { QuerySummary } from '@/lib/api/client'
import { formatCount, formatDuration, formatWhen } from '@/lib/format'
import { cn } from '@/lib/utils'

/**
 * The queries this tenant ran, from the server (so from any browser), newest first; clicking one
 * puts it back in the editor. A page at a time: `more` loads the next.
 */
export function QueryHistory({ entries, loading, error, more, onPick }: {
  entries: QuerySummary[] | undefined
  loading: boolean
  error?: string
  more?: More
  onPick: (entry: QuerySummary) => void
}) {
  if (error) {
    return (
      <p role="alert" className="px-2 py-4 text-sm text-destructive">
        The history could not be loaded: {error}
      </p>
    )
  }
  if (!entries) return loading ? <p className="px-2 py-4 text-sm text-muted-foreground">Loading history…</p> : null
  if (entries.length === 0) {
    return (
      <EmptyState icon={History} title="No queries yet" className="px-3 py-6">
        Queries you run are kept here, in any browser you sign in from, for as long as their results.
      </EmptyState>
    )
  }
  return (
    <div className="space-y-2">
      <ul className="space-y-1" aria-label="Query history">
        {entries.map((e) => (
          <li key={e.queryId}>
            <button
              type="button"
              onClick={() => onPick(e)}
              className="w-full rounded-md px-2 py-1.5 text-left outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              title={e.sql}
            >
              <span className="line-clamp-2 font-mono text-xs">{e.sql}</span>
              <span className={cn('text-[11px]', e.status === 'FAILED' ? 'text-destructive' : 'text-muted-foreground')}>
                {formatWhen(e.submittedAt)}
                {e.status === 'SUCCEEDED' && e.rowCount !== undefined && ` · ${formatCount(e.rowCount)} rows`}
                {e.elapsedMs !== undefined && ` · ${formatDuration(e.elapsedMs)}`}
                {e.status !== 'SUCCEEDED' && ` · ${e.status.toLowerCase()}`}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {more && <LoadMore more={more} />}
    </div>
  )
}
