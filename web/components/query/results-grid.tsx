'use client'

import { useVirtualizer } from '@tanstack/react-virtual'
import { useMemo, useRef } from 'react'
import type { Column } from '@/lib/api/client'
import { cellText } from '@/lib/format'
import { cn } from '@/lib/utils'

const ROW_HEIGHT = 28
const NUMERIC = /^(bigint|integer|int|double|decimal|float|real|smallint|tinyint|hugeint|ubigint|uinteger)/i

/** A column's width from its header and first values: wide enough to read, never wider than 24rem. */
function columnWidth(column: Column, rows: unknown[][], index: number): number {
  let longest = Math.max(column.name.length, column.type.length)
  for (const row of rows.slice(0, 100)) longest = Math.max(longest, (cellText(row[index]) ?? 'NULL').length)
  return Math.min(384, Math.max(80, Math.ceil(longest * 8.5 + 32)))
}

/**
 * A page of a query's result in a virtualised grid: only the rows in view are in the DOM, so a
 * 1000-row page scrolls as smoothly as a 10-row one. Header sticks, NULLs are marked, long values
 * are cut short with the full value on hover.
 */
export function ResultsGrid({ columns, rows, offset = 0, className }: { columns: Column[]; rows: unknown[][]; offset?: number; className?: string }) {
  const scroller = useRef<HTMLDivElement>(null)
  const widths = useMemo(() => columns.map((c, i) => columnWidth(c, rows, i)), [columns, rows])
  const template = `4rem ${widths.map((w) => `${w}px`).join(' ')}`
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1200, height: 600 },
  })

  return (
    <div
      ref={scroller}
      className={cn('relative overflow-auto rounded-md border text-sm', className)}
      role="grid"
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length}
      aria-label="Query result"
      tabIndex={0}
    >
      <div className="sticky top-0 z-10 grid w-max min-w-full border-b bg-muted" style={{ gridTemplateColumns: template }} role="row">
        <div className="sticky left-0 z-10 border-r bg-muted px-2 py-1.5 text-right text-xs text-muted-foreground" role="columnheader">
          #
        </div>
        {columns.map((c) => (
          <div key={c.name} className="min-w-0 px-3 py-1.5" role="columnheader" title={`${c.name} (${c.type})`}>
            <div className="truncate font-medium">{c.name}</div>
            <div className="truncate font-mono text-xs text-muted-foreground">{c.type}</div>
          </div>
        ))}
      </div>
      {rows.length === 0 && <p className="px-4 py-8 text-center text-sm text-muted-foreground">The query returned no rows.</p>}
      <div className="relative w-max min-w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index] ?? []
          return (
            <div
              key={item.key}
              role="row"
              aria-rowindex={item.index + 2}
              className="absolute left-0 grid w-max min-w-full border-b border-border/60 hover:bg-muted/40"
              style={{ gridTemplateColumns: template, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
            >
              <div className="sticky left-0 border-r bg-background px-2 py-1 text-right text-xs tabular-nums leading-5 text-muted-foreground" role="rowheader">
                {offset + item.index + 1}
              </div>
              {columns.map((c, ci) => (
                <Cell key={c.name} value={row[ci]} numeric={NUMERIC.test(c.type)} />
              ))}
            </div>
          )
        })}
      </div>
    </div>
  )
}

function Cell({ value, numeric }: { value: unknown; numeric: boolean }) {
  const text = cellText(value)
  if (text === null) {
    return (
      <div role="gridcell" className="px-3 py-1 leading-5">
        <span className="rounded border px-1 font-mono text-[10px] text-muted-foreground">NULL</span>
      </div>
    )
  }
  return (
    <div role="gridcell" className={cn('truncate px-3 py-1 leading-5', numeric && 'text-right tabular-nums')} title={text.length > 30 || text.includes('\n') ? text : undefined}>
      {text}
    </div>
  )
}
