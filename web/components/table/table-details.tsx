'use client'

import { Table2, TerminalSquare } from 'lucide-react'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { PageHeader } from '@/components/app-frame'
import { EmptyState } from '@/components/empty-state'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Skeleton } from '@/components/ui/skeleton'
import { ApiError } from '@/lib/api/client'
import { formatCount, formatWhen } from '@/lib/format'
import type { TableWithProfile } from '@/lib/table-profile'
import { useResource } from '@/lib/use-resource'
import { ColumnProfileTable } from './column-profile-table'

/**
 * A table's page: its size, each column's type and profile, and its history. `load` reads GET
 * /api/tables/{name}; `history` renders the versions, given what reloads the table after a rollback.
 */
export function TableDetails({ name, load, history }: { name: string; load: (name: string) => Promise<TableWithProfile>; history?: (reload: () => void) => ReactNode }) {
  // No name (a bare /tables link) is a table that is not there.
  const table = useResource(() => (name ? load(name) : Promise.reject(new ApiError(404, 'NOT_FOUND', 'No table named'))), [name, load])
  if (table.error) {
    const missing = table.error instanceof ApiError && (table.error.status === 404 || table.error.status === 400)
    return (
      <>
        <PageHeader title={name || 'Table'} />
        <div className="max-w-6xl p-8">
          {missing ? (
            <EmptyState icon={Table2} title={name ? `No table named ${name}` : 'No table chosen'} action={<Link className="text-sm font-medium text-primary hover:underline" href="/">See your tables</Link>}>
              It may have been dropped, or belongs to someone else. Load a file into a table and it shows up on the Data page.
            </EmptyState>
          ) : (
            <Alert variant="destructive">
              <AlertDescription>{table.error.message}</AlertDescription>
            </Alert>
          )}
        </div>
      </>
    )
  }
  const t = table.data?.name === name ? table.data : undefined
  return (
    <>
      <PageHeader
        title={name}
        description={t ? `${formatCount(t.rowCount)} rows · ${t.columns.length} columns · updated ${formatWhen(t.updatedAt)}` : undefined}
        actions={
          <Button asChild size="sm" variant="outline">
            <Link href={`/query/?table=${encodeURIComponent(name)}`}>
              <TerminalSquare aria-hidden />
              Query
            </Link>
          </Button>
        }
      />
      <div className="grid max-w-6xl gap-6 p-8">
        <Card>
          <CardHeader>
            <CardTitle>Columns</CardTitle>
            <CardDescription>
              Profiled from every row as each load was written; distinct counts marked ≈ are estimates.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            {!t ? (
              <Skeleton className="h-40 w-full" />
            ) : (
              <>
                {t.partial && (
                  <p role="note" className="text-sm text-muted-foreground">
                    Part of this table was loaded before profiles were kept: the profile covers {formatCount(t.profiledRows)} of its {formatCount(t.rowCount)} rows.
                  </p>
                )}
                <ColumnProfileTable table={t} />
              </>
            )}
          </CardContent>
        </Card>
        {t && history && (
          <Card>
            <CardContent>{history(table.reload)}</CardContent>
          </Card>
        )}
      </div>
    </>
  )
}
