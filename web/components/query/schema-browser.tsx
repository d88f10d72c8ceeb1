'use client'

import { BarChart3, ChevronRight, Table2 } from 'lucide-react'
import Link from 'next/link'
import { useState } from 'react'
import { EmptyState } from '@/components/empty-state'
import { ColumnProfileBars } from '@/components/table/column-profile-bars'
import { Skeleton } from '@/components/ui/skeleton'
import type { Column, Table } from '@/lib/api/client'
import { useSession } from '@/lib/auth'
import { formatCount } from '@/lib/format'
import { formatDistinct, formatNulls, profilesByName, type TableWithProfile } from '@/lib/table-profile'
import { useResource } from '@/lib/use-resource'
import { cn } from '@/lib/utils'

type LoadProfile = (name: string) => Promise<TableWithProfile>

/**
 * The user's tables and their columns with types; clicking a name puts it into the SQL. An
 * expanded table's columns show their profile (small bars, nulls and distinct values), read with
 * `loadProfile` (by default the session's API) when the table is opened.
 */
export function SchemaBrowser({ tables, loading, onInsert, loadProfile }: { tables: Table[] | undefined; loading: boolean; onInsert: (text: string) => void; loadProfile?: LoadProfile }) {
  const [open, setOpen] = useState<Record<string, boolean>>({})
  const session = useSession()
  const load = loadProfile ?? (session.status === 'ready' ? session.api.table : undefined)
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
              <span className="text-xs tabular-nums text-muted-foreground">{formatCount(t.rowCount)}</span>
              <Link
                href={`/tables/?name=${encodeURIComponent(t.name)}`}
                className="rounded p-1 text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
                aria-label={`Open the profile of ${t.name}`}
                title={`Columns and profile of ${t.name}`}
              >
                <BarChart3 className="size-3.5" aria-hidden />
              </Link>
            </div>
            {expanded && <TableColumns table={t} load={load} onInsert={onInsert} />}
          </li>
        )
      })}
    </ul>
  )
}

/** An expanded table's columns, each with its profile once it has loaded (a failed read shows the columns alone). */
function TableColumns({ table, load, onInsert }: { table: Table; load: LoadProfile | undefined; onInsert: (text: string) => void }) {
  const profile = useResource(async () => (load ? load(table.name) : undefined), [table.name, table.updatedAt, load])
  const profiles = profilesByName(profile.data)
  return (
    <ul className="mb-1 ml-6 border-l pl-2">
      {table.columns.map((c: Column) => {
        const p = profiles.get(c.name)
        return (
          <li key={c.name} data-column={c.name}>
            <button
              type="button"
              className="flex w-full items-baseline justify-between gap-2 rounded px-1 py-0.5 text-left outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              title={`Insert ${c.name}`}
              onClick={() => onInsert(/^[a-z_][a-z0-9_]*$/.test(c.name) ? c.name : `"${c.name.replaceAll('"', '""')}"`)}
            >
              <span className="truncate font-mono text-xs">{c.name}</span>
              <span className="shrink-0 font-mono text-[10px] uppercase text-muted-foreground">{c.type}</span>
            </button>
            {p && (
              <div className="flex items-center justify-between gap-2 px-1 pb-0.5 text-[10px] tabular-nums text-muted-foreground" data-slot="column-profile">
                <span>
                  {formatNulls(p)} null · {formatDistinct(p)} distinct
                </span>
                <ColumnProfileBars profile={p} compact />
              </div>
            )}
          </li>
        )
      })}
    </ul>
  )
}
