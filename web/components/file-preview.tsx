'use client'

import { AlertTriangle } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import type { Preview } from '@/lib/api/client'
import { delimiterName } from '@/lib/format'
import { cn } from '@/lib/utils'

const LINE_ENDINGS: Record<string, string> = { '\n': 'LF', '\r\n': 'CRLF', '\r': 'CR' }

/** What was detected about the file: delimiter, encoding, header, line endings. */
export function DialectSummary({ preview }: { preview: Preview }) {
  const d = preview.dialect
  if (preview.format === 'parquet') {
    return (
      <dl className="flex flex-wrap gap-x-6 gap-y-2 text-sm" aria-label="Detected format">
        <Fact label="Format" value="Parquet" />
        <Fact label="Columns" value={String(preview.columns.length)} />
        {preview.rowCount !== undefined && <Fact label="Rows" value={preview.rowCount.toLocaleString('en-US')} />}
      </dl>
    )
  }
  return (
    <dl className="flex flex-wrap gap-x-6 gap-y-2 text-sm" aria-label="Detected format">
      <Fact label="Delimiter" value={delimiterName(d.delimiter)} />
      <Fact label="Encoding" value={`${d.encoding}${d.bom ? ' (BOM)' : ''}`} />
      <Fact label="Header row" value={d.header ? 'yes' : 'no'} />
      <Fact label="Line endings" value={LINE_ENDINGS[d.lineEnding] ?? d.lineEnding} />
      <Fact label="Quote" value={d.quote} />
      {d.compression !== 'none' && <Fact label="Compression" value={d.compression} />}
    </dl>
  )
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-center gap-1.5">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="font-medium">{value}</dd>
    </div>
  )
}

/**
 * The first rows of the file as ingest will read them: column names with their inferred types in a
 * sticky header, NULLs marked, long values cut short with the whole value on hover, wide files
 * scrolling sideways; rows the parser could not read are listed by line.
 */
export function FilePreview({ preview }: { preview: Preview }) {
  return (
    <div className="space-y-3">
      {preview.problems.length > 0 && (
        <div role="alert" className="rounded-md border border-warning/50 bg-warning/10 px-3 py-2 text-sm">
          <p className="flex items-center gap-2 font-medium">
            <AlertTriangle className="size-4 text-warning" aria-hidden />
            {preview.format === 'parquet'
              ? preview.problems.length === 1
                ? 'One column cannot be loaded'
                : `${preview.problems.length} columns cannot be loaded`
              : preview.problems.length === 1
                ? 'One line could not be read'
                : `${preview.problems.length} lines could not be read`}
          </p>
          <ul className="mt-1 list-inside list-disc text-muted-foreground">
            {preview.problems.slice(0, 5).map((p) => (
              <li key={`${p.line}-${p.message}`}>{preview.format === 'parquet' ? p.message : `Line ${p.line}: ${p.message}`}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="max-h-[28rem] overflow-auto rounded-md border" tabIndex={0} aria-label="Preview rows">
        <table className="w-max min-w-full border-separate border-spacing-0 text-sm">
          <thead className="sticky top-0 z-10 bg-muted">
            <tr>
              <th className="sticky left-0 z-20 border-b border-r bg-muted px-2 py-1.5 text-right text-xs font-normal text-muted-foreground">#</th>
              {preview.columns.map((col) => (
                <th key={col.name} scope="col" className="border-b px-3 py-1.5 text-left align-bottom font-medium">
                  <div className="whitespace-nowrap">{col.name}</div>
                  <div className="font-mono text-xs font-normal text-muted-foreground" title={col.parquetType ? `Parquet: ${col.parquetType}${col.refused ? ` - ${col.refused}` : ''}` : undefined}>
                    {col.type}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, i) => (
              <tr key={i} className="hover:bg-muted/40">
                <td className="sticky left-0 border-b border-r bg-background px-2 py-1 text-right text-xs tabular-nums text-muted-foreground">{i + 1}</td>
                {preview.columns.map((col) => (
                  <PreviewCell key={col.name} value={row[col.name] ?? null} numeric={isNumeric(col.type)} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-muted-foreground">
        {preview.rows.length} {preview.rows.length === 1 ? 'row' : 'rows'} from the start of the file{preview.format === 'parquet' && ' (its first row group, read with its footer)'}
        {/* Only the API's moreRows can say the rows shown are all there is; without it, never claim so. */}
        {preview.moreRows === false && !preview.truncated ? '; that is the whole file.' : '; the file has more.'}
        {preview.multilineFields && ' Some values span several lines.'}
      </p>
    </div>
  )
}

const isNumeric = (type: string) => /^(bigint|integer|double|decimal|float|real|smallint|tinyint|hugeint)/i.test(type)

function PreviewCell({ value, numeric }: { value: string | null; numeric: boolean }) {
  if (value === null) {
    return (
      <td className="border-b px-3 py-1">
        <Badge variant="outline" className="px-1 py-0 font-mono text-[10px] text-muted-foreground">NULL</Badge>
      </td>
    )
  }
  return (
    <td className={cn('max-w-72 truncate border-b px-3 py-1', numeric && 'text-right tabular-nums')} title={value.length > 40 || value.includes('\n') ? value : undefined}>
      {value.replace(/\r?\n/g, ' ⏎ ')}
    </td>
  )
}

export type DialectOverride = { header?: boolean; delimiter?: Preview['dialect']['delimiter']; encoding?: string }

const DELIMITERS: Preview['dialect']['delimiter'][] = [',', ';', '\t', '|']
const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-1']

/**
 * Lets the user correct what was detected - the header row, the delimiter, the encoding - when the
 * guess is wrong; the preview is read again with the correction, and the load uses it too.
 */
export function DialectControls({ dialect, onChange }: { dialect: Preview['dialect']; onChange: (override: DialectOverride) => void }) {
  const encodings = ENCODINGS.includes(dialect.encoding) ? ENCODINGS : [dialect.encoding, ...ENCODINGS]
  return (
    <div className="flex flex-wrap items-end gap-3" aria-label="Correct the format">
      <Choice label="Header row" value={dialect.header ? 'yes' : 'no'} options={[['yes', 'First row is the header'], ['no', 'No header row']]} onChange={(v) => onChange({ header: v === 'yes' })} />
      <Choice label="Delimiter" value={dialect.delimiter} options={DELIMITERS.map((d) => [d, delimiterName(d)])} onChange={(v) => onChange({ delimiter: v as Preview['dialect']['delimiter'] })} />
      <Choice label="Encoding" value={dialect.encoding} options={encodings.map((e) => [e, e])} onChange={(v) => onChange({ encoding: v })} />
    </div>
  )
}

function Choice({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange: (value: string) => void }) {
  const id = `dialect-${label.toLowerCase().replace(/\W+/g, '-')}`
  return (
    <div className="grid gap-1">
      <Label htmlFor={id} className="text-xs text-muted-foreground">
        {label}
      </Label>
      <Select value={value} onValueChange={onChange}>
        <SelectTrigger id={id} size="sm" className="min-w-36" aria-label={label}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {options.map(([v, text]) => (
            <SelectItem key={v} value={v}>
              {text}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  )
}
