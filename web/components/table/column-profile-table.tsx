import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { Column } from '@/lib/api/client'
import { formatDistinct, formatNulls, formatProfileValue, profilesByName, type TableWithProfile } from '@/lib/table-profile'
import { ColumnProfileBars } from './column-profile-bars'

/**
 * Every column of the table with its type and profile: nulls and distinct values at a glance,
 * min and max, and its histogram or most frequent values. A column with no profile (its data
 * was loaded before profiles were kept) says so.
 */
export function ColumnProfileTable({ table }: { table: Pick<TableWithProfile, 'name' | 'columns' | 'profile'> }) {
  const profiles = profilesByName(table)
  return (
    <Table aria-label={`Columns of ${table.name}`}>
      <TableHeader>
        <TableRow>
          <TableHead>Column</TableHead>
          <TableHead>Type</TableHead>
          <TableHead className="text-right">Nulls</TableHead>
          <TableHead className="text-right" title="Exact, or ≈ when estimated">Distinct</TableHead>
          <TableHead>Min</TableHead>
          <TableHead>Max</TableHead>
          <TableHead className="w-64">Values</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {table.columns.map((c: Column) => {
          const p = profiles.get(c.name)
          return (
            <TableRow key={c.name} data-column={c.name}>
              <TableCell className="font-mono font-medium">{c.name}</TableCell>
              <TableCell className="font-mono text-xs uppercase text-muted-foreground">{c.type}</TableCell>
              {p ? (
                <>
                  <TableCell className="text-right tabular-nums">{formatNulls(p)}</TableCell>
                  <TableCell className="text-right tabular-nums" title={p.distinctApprox ? 'Estimated' : 'Exact'}>{formatDistinct(p)}</TableCell>
                  <TableCell className="max-w-40 truncate font-mono text-xs" title={formatProfileValue(p.min)}>{formatProfileValue(p.min)}</TableCell>
                  <TableCell className="max-w-40 truncate font-mono text-xs" title={formatProfileValue(p.max)}>{formatProfileValue(p.max)}</TableCell>
                  <TableCell className="w-64 py-1.5">
                    <ColumnProfileBars profile={p} />
                  </TableCell>
                </>
              ) : (
                <TableCell colSpan={5} className="text-xs text-muted-foreground">Not profiled: loaded before profiles were kept.</TableCell>
              )}
            </TableRow>
          )
        })}
      </TableBody>
    </Table>
  )
}
