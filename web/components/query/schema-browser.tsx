'use client'

import { ChevronRight, Table2 } from 'lucide-react'
import Link from 'next/link'
import { useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { Skeleton } from '@/components/ui/skeleton'
import type { Table } from '@/lib/api/client'
import { formatCount } from '@/lib/format'
import { cn } from '@/lib/utils'

/** The user's tables and their columns with types; clicking a name puts it into the SQL. */
export function SchemaBrowser({ tables, loading, onInsert }: { tables: Table[] | undefined; loading: boolean; onInsert: (text: string) => void }) {
  const [open, setOpen] = useState<Record<string, boolean>>({})
  if (!tables && loading) return <Skeleton className="h-32 w-full" />
  if (!tables || tables.length === 0) {
    return (
      <EmptyState icon={Table2} title="No tables yet" className="px-3 py-6" action={<Link className="text-sm font-medium text-primary hover:underline" href="/">Upload a CSV</Link>}>
        Load a file into a table and it shows up here.
      </EmptyState>
    )
  }
  return (
    <ul className="space-y-0.5 text-sm" aria-label="Tables and columns">
      {tables.map((t) => {
        const expanded = open[t.name] ?? tables.length <= 3
        return (
          <li key={t.name}>
            <div className="group flex items-center gap-1 rounded-md hover:bg-accent">
              <button
                type="button"
                className="rounded p-1 text-muted-foreground outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
                aria-expanded={expanded}
                aria-label={`${expanded ? 'Hide' : 'Show'} the columns of ${t.name}`}
                onClick={() => setOpen((o) => ({ ...o, [t.name]: !expanded }))}
              >
                <ChevronRight className={cn('size-3.5 transition-transform', expanded && 'rotate-90')} aria-hidden />
              </button>
              <button
                type="button"
                className="min-w-0 flex-1 truncate rounded py-1 text-left font-mono font-medium outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
                title={`Insert ${t.name} · ${formatCount(t.rowCount)} rows`}
                onClick={() => onInsert(t.name)}
              >
                {t.name}
              </button>
              <span className="pr-2 text-xs tabular-nums text-muted-foreground">{formatCount(t.rowCount)}</span>
            </div>
            {expanded && (
              <ul className="mb-1 ml-6 border-l pl-2">
                {t.columns.map((c) => (
                  <li key={c.name}>
                    <button
                      type="button"
                      className="flex w-full items-baseline justify-between gap-2 rounded px-1 py-0.5 text-left outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
                      title={`Insert ${c.name}`}
                      onClick={() => onInsert(/^[a-z_][a-z0-9_]*$/.test(c.name) ? c.name : `"${c.name.replaceAll('"', '""')}"`)}
                    >
                      <span className="truncate font-mono text-xs">{c.name}</span>
                      <span className="shrink-0 font-mono text-[10px] uppercase text-muted-foreground">{c.type}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </li>
        )
      })}
    </ul>
  )
}
