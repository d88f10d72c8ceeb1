'use client'

import { History, RotateCcw, Search } from 'lucide-react'
import Link from 'next/link'
import { useState } from 'react'
import { toast } from 'sonner'
import { ConfirmDialog } from '@/components/confirm-dialog'
import { Alert, AlertDescription } from '@/components/ui/alert'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { Skeleton } from '@/components/ui/skeleton'
import type { Api, TableHistory as History_, TableVersion } from '@/lib/api/client'
import { formatCount, formatWhen } from '@/lib/format'
import { useResource } from '@/lib/use-resource'
import { sameSchema, versionDiff, type VersionDiff } from '@/lib/version-diff'

const OPERATION: Record<TableVersion['operation'], string> = {
  create: 'Created',
  append: 'Appended',
  replace: 'Replaced',
  rollback: 'Rolled back',
}

/**
 * A table's history: every load and rollback as a timeline, newest first, each with the rows and
 * schema it changed; a comparison of any two versions; and "Roll back to this version" after a
 * confirmation (a rollback is a new version: nothing is deleted, so it can be undone).
 */
export function TableHistory({ api, name, onChanged }: { api: Api; name: string; onChanged?: () => void }) {
  const history = useResource(() => api.tableVersions(name), [api, name])
  const [confirming, setConfirming] = useState<TableVersion>()

  if (history.error) {
    return (
      <Alert variant="destructive">
        <AlertDescription>{history.error.message}</AlertDescription>
      </Alert>
    )
  }
  if (!history.data) return <Skeleton className="h-32 w-full" aria-label="Loading the history" />
  const { versions, retention } = history.data

  const rollback = async (version: TableVersion) => {
    try {
      const after = await api.rollbackTable(name, version.version)
      toast.success(`${name} is at version ${version.version} again, as version ${after.current}`)
      history.reload()
      onChanged?.()
    } catch (err) {
      toast.error(err instanceof Error ? err.message : String(err))
      throw err
    }
  }

  return (
    <section aria-labelledby="history-title" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="history-title" className="flex items-center gap-2 text-lg font-semibold">
          <History className="size-4" aria-hidden /> History
        </h2>
        <p className="text-xs text-muted-foreground">
          Earlier versions are kept {retention.days} days after they are replaced (at most {formatCount(retention.max)}). Query one with{' '}
          <code className="rounded bg-muted px-1">FOR VERSION AS OF n</code>.
        </p>
      </div>
      <ol aria-label="Versions" className="relative space-y-3 border-l pl-5">
        {versions.map((v, i) => (
          <VersionItem key={v.version} name={name} version={v} previous={versions[i + 1]} onRollback={() => setConfirming(v)} />
        ))}
      </ol>
      {versions.length > 1 && <CompareVersions key={history.data.current} versions={versions} />}
      <ConfirmDialog
        open={confirming !== undefined}
        onOpenChange={(open) => !open && setConfirming(undefined)}
        title={`Roll back ${name} to version ${confirming?.version}?`}
        confirmLabel="Roll back"
        onConfirm={() => rollback(confirming!)}
      >
        Version {confirming?.version} ({formatCount(confirming?.rowCount ?? 0)} rows; {confirming?.columns.map((c) => c.name).join(', ')}) becomes the current
        table, as a new version. Nothing is deleted: the current version stays in the history, and you can roll back to it.
      </ConfirmDialog>
    </section>
  )
}

function VersionItem({ name, version: v, previous, onRollback }: { name: string; version: TableVersion; previous: TableVersion | undefined; onRollback: () => void }) {
  const diff = previous ? versionDiff(previous, v) : undefined
  const sql = `SELECT *\nFROM ${name} FOR VERSION AS OF ${v.version}\nLIMIT 100`
  return (
    <li aria-label={`Version ${v.version}`} className="relative">
      <span aria-hidden className={`absolute top-1.5 -left-[25px] size-2.5 rounded-full border-2 border-background ${v.current ? 'bg-primary' : 'bg-muted-foreground/40'}`} />
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">Version {v.version}</span>
        {v.current && <Badge>Current</Badge>}
        <span className="text-sm">
          {OPERATION[v.operation]}
          {v.rolledBackTo !== undefined ? ` to version ${v.rolledBackTo}` : ''}
          {v.fileName ? ` from ${v.fileName}` : ''}
        </span>
        <time dateTime={v.at} title={v.at} className="text-xs text-muted-foreground">
          {formatWhen(v.at)}
        </time>
      </div>
      <p className="text-sm text-muted-foreground">
        <span className="text-success">+{formatCount(v.rowsAdded)}</span> / <span className="text-destructive">−{formatCount(v.rowsRemoved)}</span> rows, {formatCount(v.rowCount)} in
        all; {v.columns.length} {v.columns.length === 1 ? 'column' : 'columns'}
      </p>
      {diff && !sameSchema(diff) && <SchemaChange diff={diff} />}
      <div className="mt-1 flex gap-1">
        <Button asChild variant="ghost" size="sm">
          <Link href={`/query?sql=${encodeURIComponent(sql)}`}>
            <Search aria-hidden /> Query version {v.version}
          </Link>
        </Button>
        {!v.current && (
          <Button variant="ghost" size="sm" onClick={onRollback}>
            <RotateCcw aria-hidden /> Roll back to this version
          </Button>
        )}
      </div>
    </li>
  )
}

/** The schema change a diff shows, in words and colours. */
function SchemaChange({ diff }: { diff: VersionDiff }) {
  return (
    <ul aria-label="Schema changes" className="mt-1 flex flex-wrap gap-1 text-xs">
      {diff.added.map((c) => (
        <li key={`+${c.name}`} className="rounded bg-success/15 px-1.5 py-0.5">
          + {c.name} <span className="text-muted-foreground">{c.type}</span>
        </li>
      ))}
      {diff.removed.map((c) => (
        <li key={`-${c.name}`} className="rounded bg-destructive/15 px-1.5 py-0.5 line-through">
          − {c.name} <span className="text-muted-foreground">{c.type}</span>
        </li>
      ))}
      {diff.retyped.map((c) => (
        <li key={`~${c.name}`} className="rounded bg-warning/15 px-1.5 py-0.5">
          {c.name}: {c.from} → {c.to}
        </li>
      ))}
    </ul>
  )
}

/** Any two kept versions side by side: columns added, removed and retyped, and the rows of each. */
function CompareVersions({ versions }: { versions: History_['versions'] }) {
  const [from, setFrom] = useState(versions[1]!.version)
  const [to, setTo] = useState(versions[0]!.version)
  const a = versions.find((v) => v.version === from)
  const b = versions.find((v) => v.version === to)
  const diff = a && b ? versionDiff(a, b) : undefined
  const picker = (label: string, value: number, set: (n: number) => void) => (
    <Select value={String(value)} onValueChange={(n) => set(Number(n))}>
      <SelectTrigger size="sm" aria-label={label} className="w-32">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {versions.map((v) => (
          <SelectItem key={v.version} value={String(v.version)}>
            Version {v.version}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
  return (
    <section aria-label="Compare versions" className="space-y-2 rounded-md border p-3">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        Compare {picker('From version', from, setFrom)} with {picker('To version', to, setTo)}
      </div>
      {diff && (
        <div className="space-y-1 text-sm" aria-live="polite">
          <p>
            Rows: {formatCount(diff.rows.from)} → {formatCount(diff.rows.to)} ({diff.rows.to - diff.rows.from >= 0 ? '+' : '−'}
            {formatCount(Math.abs(diff.rows.to - diff.rows.from))})
          </p>
          {sameSchema(diff) ? <p className="text-muted-foreground">Same columns and types.</p> : <SchemaChange diff={diff} />}
        </div>
      )}
    </section>
  )
}
