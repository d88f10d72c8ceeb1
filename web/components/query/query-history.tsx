'use client'

import { History } from 'lucide-react'
import { EmptyState } from '@/components/empty-state'
import { Button } from '@/components/ui/button'
import type { HistoryEntry } from '@/lib/local-history'
import { formatCount, formatDuration, formatWhen } from '@/lib/format'
import { cn } from '@/lib/utils'

/** The queries run from this browser, newest first; clicking one puts it back in the editor. */
export function QueryHistory({ entries, onPick, onClear }: { entries: HistoryEntry[]; onPick: (sql: string) => void; onClear: () => void }) {
  if (entries.length === 0) {
    return (
      <EmptyState icon={History} title="No queries yet" className="px-3 py-6">
        Queries you run are kept here, in this browser.
      </EmptyState>
    )
  }
  return (
    <div className="space-y-2">
      <ul className="space-y-1" aria-label="Query history">
        {entries.map((e) => (
          <li key={`${e.at}-${e.sql}`}>
            <button
              type="button"
              onClick={() => onPick(e.sql)}
              className="w-full rounded-md px-2 py-1.5 text-left outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              title={e.sql}
            >
              <span className="line-clamp-2 font-mono text-xs">{e.sql}</span>
              <span className={cn('text-[11px]', e.status === 'FAILED' ? 'text-destructive' : 'text-muted-foreground')}>
                {formatWhen(e.at)}
                {e.status === 'SUCCEEDED' && e.rowCount !== undefined && ` · ${formatCount(e.rowCount)} rows`}
                {e.elapsedMs !== undefined && ` · ${formatDuration(e.elapsedMs)}`}
                {e.status !== 'SUCCEEDED' && ` · ${e.status.toLowerCase()}`}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <Button variant="ghost" size="sm" className="w-full text-muted-foreground" onClick={onClear}>
        Clear history
      </Button>
    </div>
  )
}
