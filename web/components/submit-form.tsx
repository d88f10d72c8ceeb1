'use client'

import { Loader2, Play } from 'lucide-react'
import { useState, type FormEvent } from 'react'
import { schemaDifferences } from '@csvlake/shared/schema-diff'
import { tableNameFromFile, tableNameProblem } from '@csvlake/shared/table-name-rules'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group'
import type { Column, SubmitBody, Submitted } from '@/lib/api/client'

const MODES = [
  { value: 'create', label: 'Create', hint: 'a new table; refused if the name is taken' },
  { value: 'append', label: 'Append', hint: 'add these rows to an existing table' },
  { value: 'replace', label: 'Replace', hint: "swap the table's rows for these" },
] as const

/**
 * Loads an upload into a table: the name is suggested from the file name and checked as it is
 * typed (by the same rules the API applies), then the ingest workflow starts. On append, the
 * preview's columns are compared with the table's by the rule the workflow applies, so a file
 * that will not fit says why before it is loaded.
 */
export function SubmitForm({ fileId, fileName, format = 'csv', tables, fileColumns, tableColumns, submit, onSubmitted }: {
  /** A Parquet file has its own types and no rows to skip: the CSV-only options are hidden. */
  format?: 'csv' | 'parquet'
  fileId: string
  fileName: string
  tables: string[]
  /** The file's columns as the preview reads them. */
  fileColumns?: Column[]
  /** Each table's columns, by name. */
  tableColumns?: Record<string, Column[]>
  submit: (body: SubmitBody) => Promise<Submitted>
  onSubmitted: (submitted: Submitted) => void
}) {
  const [table, setTable] = useState(() => tableNameFromFile(fileName))
  const [mode, setMode] = useState<SubmitBody['mode']>(() => (tables.includes(tableNameFromFile(fileName)) ? 'append' : 'create'))
  const [skipBadRows, setSkipBadRows] = useState(false)
  const [busy, setBusy] = useState(false)
  const [serverError, setServerError] = useState<string | null>(null)

  const exists = tables.includes(table)
  const problem =
    tableNameProblem(table) ??
    (mode === 'create' && exists ? `A table named ${table} exists: choose Append or Replace, or another name` : null) ??
    (mode !== 'create' && !exists ? `There is no table named ${table} yet: choose Create` : null)

  const existing = tableColumns?.[table]
  const drift = mode === 'append' && existing && fileColumns ? schemaDifferences(existing, fileColumns) : []

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    if (problem) return
    setBusy(true)
    setServerError(null)
    try {
      onSubmitted(await submit({ fileId, table, mode, onError: skipBadRows && format === 'csv' ? 'skip' : 'fail' }))
    } catch (error) {
      setServerError(error instanceof Error ? error.message : String(error))
      setBusy(false)
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label="Load into a table" noValidate>
      <div className="space-y-1.5">
        <Label htmlFor="table-name">Table name</Label>
        <Input
          id="table-name"
          value={table}
          onChange={(e) => setTable(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby="table-name-hint"
          className="font-mono"
          autoComplete="off"
          spellCheck={false}
        />
        <p id="table-name-hint" className={problem ? 'text-sm text-destructive' : 'text-sm text-muted-foreground'}>
          {problem ?? (exists ? `${table} exists: its rows are kept unless you replace them` : 'Lower-case letters, digits and _')}
        </p>
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Mode</legend>
        <RadioGroup value={mode} onValueChange={(v) => setMode(v as SubmitBody['mode'])} className="gap-2">
          {MODES.map((m) => (
            <div key={m.value} className="flex items-start gap-2">
              <RadioGroupItem value={m.value} id={`mode-${m.value}`} className="mt-0.5" />
              <Label htmlFor={`mode-${m.value}`} className="block font-normal leading-snug">
                <span className="font-medium">{m.label}</span> <span className="text-muted-foreground">- {m.hint}</span>
              </Label>
            </div>
          ))}
        </RadioGroup>
      </fieldset>
      {drift.length > 0 && (
        <p role="status" data-testid="append-drift" className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm">
          From the preview, this file does not fit {table}: {drift.join('; ')}. Replace the table, load it as a new one, or correct the
          header above.
        </p>
      )}
      {format === 'csv' && (
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" checked={skipBadRows} onChange={(e) => setSkipBadRows(e.target.checked)} className="mt-0.5 size-4 accent-primary" />
        <span>
          <span className="font-medium">Skip rows that do not fit</span>
          <span className="text-muted-foreground"> - otherwise the first bad row stops the load, and nothing is loaded</span>
        </span>
      </label>
      )}
      {serverError && (
        <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
          {serverError}
        </p>
      )}
      <Button type="submit" disabled={busy || problem !== null} className="w-full">
        {busy ? <Loader2 className="animate-spin" aria-hidden /> : <Play aria-hidden />}
        {busy ? 'Starting…' : `Load into ${table || 'table'}`}
      </Button>
    </form>
  )
}
