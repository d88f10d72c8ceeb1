'use client'

import { Table2, TerminalSquare, Trash2 } from 'lucide-react'
import Link from 'next/link'
import { EmptyState } from '@/components/empty-state'
import { Button } from '@/components/ui/button'
import { Skeleton } from '@/components/ui/skeleton'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { Table as LakeTable } from '@/lib/api/client'
import { formatCount, formatWhen } from '@/lib/format'

/** The user's tables, each with a way straight to a query of it. */
export function TablesList({ tables, loading, onDelete }: { tables: LakeTable[] | undefined; loading: boolean; onDelete?: (table: LakeTable) => void }) {
  if (!tables && loading) return <Skeleton className="h-24 w-full" />
  if (!tables || tables.length === 0) {
    return (
      <EmptyState icon={Table2} title="No tables yet">
        Preview an uploaded file and submit it: the workflow crawls it and makes it a table you can query.
      </EmptyState>
    )
  }
  return (
    <Table aria-label="Tables">
      <TableHeader>
        <TableRow>
          <TableHead>Table</TableHead>
          <TableHead className="text-right">Rows</TableHead>
          <TableHead className="text-right">Columns</TableHead>
          <TableHead>Updated</TableHead>
          <TableHead className="w-0" />
        </TableRow>
      </TableHeader>
      <TableBody>
        {tables.map((t) => (
          <TableRow key={t.name}>
            <TableCell className="font-mono font-medium">
              <Link className="hover:underline" href={`/tables/?name=${encodeURIComponent(t.name)}`} title={`Columns and profile of ${t.name}`}>
                {t.name}
              </Link>
            </TableCell>
            <TableCell className="text-right tabular-nums">{formatCount(t.rowCount)}</TableCell>
            <TableCell className="text-right tabular-nums">{t.columns.length}</TableCell>
            <TableCell className="text-muted-foreground">{formatWhen(t.updatedAt)}</TableCell>
            <TableCell>
              <div className="flex justify-end gap-1">
                <Button asChild size="sm" variant="outline">
                  <Link href={`/query/?table=${encodeURIComponent(t.name)}`}>
                    <TerminalSquare aria-hidden />
                    Query
                  </Link>
                </Button>
                {onDelete && (
                  <Button size="icon" variant="ghost" className="size-8" aria-label={`Drop ${t.name}`} onClick={() => onDelete(t)}>
                    <Trash2 aria-hidden />
                  </Button>
                )}
              </div>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}
