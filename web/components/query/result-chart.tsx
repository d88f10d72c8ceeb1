'use client'

import { ChartColumn } from 'lucide-react'
import { useMemo } from 'react'
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts'
import { EmptyState } from '@/components/empty-state'
import { Button } from '@/components/ui/button'
import { DropdownMenu, DropdownMenuCheckboxItem, DropdownMenuContent, DropdownMenuTrigger } from '@/components/ui/dropdown-menu'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import type { Column } from '@/lib/api/client'
import { CHART_KINDS, chartData, isNumeric, MAX_Y, type ChartSettings } from '@/lib/chart-data'
import { formatCount } from '@/lib/format'

const COLORS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)']
const color = (i: number) => COLORS[i % COLORS.length]!
const NO_SERIES = '__none__'
const KIND_LABEL: Record<ChartSettings['kind'], string> = { bar: 'Bar', line: 'Line', area: 'Area', scatter: 'Scatter' }

/**
 * A chart of the rows on screen (Recharts): the kind, the x column, the y columns and a series
 * column to split them by, all changeable; `settings` come from the caller, which keeps them in
 * the shared link. Says which rows it shows when the result has more than the page.
 */
export function ResultChart({ columns, rows, offset, total, settings, onChange }: {
  columns: Column[]
  rows: unknown[][]
  offset: number
  total: number
  settings: ChartSettings | undefined
  onChange: (settings: ChartSettings) => void
}) {
  const data = useMemo(() => (settings ? chartData(columns, rows, settings) : undefined), [columns, rows, settings])
  if (!settings || !data) {
    return (
      <EmptyState icon={ChartColumn} title="Nothing to chart" className="m-4">
        A chart needs a column of numbers besides the one on the x axis: select one, or aggregate (count(*), sum(...)) in the SQL.
      </EmptyState>
    )
  }
  const numbers = columns.filter((c) => isNumeric(c.type) && c.name !== settings.x)
  const others = columns.filter((c) => c.name !== settings.x && !settings.y.includes(c.name))
  const set = (change: Partial<ChartSettings>) => onChange({ ...settings, ...change })
  const partial = rows.length < total

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="result-chart">
      <div className="flex flex-wrap items-center gap-2 px-3 pt-3 text-xs">
        <Labelled label="Chart">
          <Select value={settings.kind} onValueChange={(kind) => set({ kind: kind as ChartSettings['kind'] })}>
            <SelectTrigger size="sm" aria-label="Chart kind" className="w-28">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {CHART_KINDS.map((k) => (
                <SelectItem key={k} value={k}>
                  {KIND_LABEL[k]}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </Labelled>
        <Labelled label="x">
          <ColumnSelect label="x axis column" value={settings.x} columns={columns} onChange={(x) => set({ x, y: settings.y.filter((y) => y !== x), ...(settings.series === x ? { series: undefined } : {}) })} />
        </Labelled>
        <Labelled label="y">
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button size="sm" variant="outline" aria-label="y axis columns" className="max-w-56 justify-start truncate font-normal">
                {settings.y.join(', ')}
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="start">
              {numbers.map((c) => {
                const on = settings.y.includes(c.name)
                return (
                  <DropdownMenuCheckboxItem
                    key={c.name}
                    checked={on}
                    disabled={(on && settings.y.length === 1) || (!on && settings.y.length >= MAX_Y)}
                    onSelect={(e) => e.preventDefault()}
                    onCheckedChange={(checked) => set({ y: checked ? [...settings.y, c.name] : settings.y.filter((y) => y !== c.name) })}
                  >
                    {c.name}
                  </DropdownMenuCheckboxItem>
                )
              })}
            </DropdownMenuContent>
          </DropdownMenu>
        </Labelled>
        <Labelled label="Series">
          <ColumnSelect label="Series column" value={settings.series ?? NO_SERIES} columns={others} none="None" onChange={(s) => set({ series: s === NO_SERIES ? undefined : s })} />
        </Labelled>
        <span className="ml-auto text-muted-foreground" data-testid="chart-coverage">
          {partial
            ? `Rows ${formatCount(offset + 1)}–${formatCount(offset + rows.length)} of ${formatCount(total)} (this page); aggregate in the SQL to chart them all`
            : `All ${formatCount(total)} ${total === 1 ? 'row' : 'rows'}`}
          {data.droppedSeries > 0 && ` · ${formatCount(data.droppedSeries)} more series not drawn`}
        </span>
      </div>
      <div className="m-3 min-h-64 flex-1" role="img" aria-label={`${KIND_LABEL[settings.kind]} chart of ${settings.y.join(', ')} by ${settings.x}`}>
        <ResponsiveContainer width="100%" height="100%">
          {renderChart(settings, data.points, data.series)}
        </ResponsiveContainer>
      </div>
    </div>
  )
}

function renderChart(settings: ChartSettings, points: Record<string, string | number | null>[], series: { key: string; label: string }[]) {
  const axes = [<CartesianGrid key="grid" strokeDasharray="3 3" className="stroke-border" />, <Tooltip key="tip" />, <Legend key="legend" />]
  if (settings.kind === 'scatter') {
    return (
      <ScatterChart>
        {axes}
        <XAxis dataKey="x" name={settings.x} type="number" tick={{ fontSize: 11 }} />
        <YAxis dataKey="y" type="number" tick={{ fontSize: 11 }} />
        {series.map((s, i) => (
          <Scatter key={s.key} name={s.label} data={points.map((p) => ({ x: p.x, y: p[s.key] }))} fill={color(i)} isAnimationActive={false} />
        ))}
      </ScatterChart>
    )
  }
  const xAxis = <XAxis dataKey="x" tick={{ fontSize: 11 }} />
  const yAxis = <YAxis tick={{ fontSize: 11 }} />
  if (settings.kind === 'line') {
    return (
      <LineChart data={points}>
        {axes}
        {xAxis}
        {yAxis}
        {series.map((s, i) => (
          <Line key={s.key} dataKey={s.key} name={s.label} stroke={color(i)} dot={false} connectNulls isAnimationActive={false} />
        ))}
      </LineChart>
    )
  }
  if (settings.kind === 'area') {
    return (
      <AreaChart data={points}>
        {axes}
        {xAxis}
        {yAxis}
        {series.map((s, i) => (
          <Area key={s.key} dataKey={s.key} name={s.label} stroke={color(i)} fill={color(i)} fillOpacity={0.3} connectNulls isAnimationActive={false} />
        ))}
      </AreaChart>
    )
  }
  return (
    <BarChart data={points}>
      {axes}
      {xAxis}
      {yAxis}
      {series.map((s, i) => (
        <Bar key={s.key} dataKey={s.key} name={s.label} fill={color(i)} isAnimationActive={false} />
      ))}
    </BarChart>
  )
}

/** A column picked from `columns` (and, with `none`, a first item meaning no column). */
function ColumnSelect({ label, value, columns, none, onChange }: { label: string; value: string; columns: Column[]; none?: string; onChange: (name: string) => void }) {
  return (
    <Select value={value} onValueChange={onChange}>
      <SelectTrigger size="sm" aria-label={label} className="max-w-44">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {none !== undefined && <SelectItem value={NO_SERIES}>{none}</SelectItem>}
        {columns.map((c) => (
          <SelectItem key={c.name} value={c.name}>
            {c.name}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

function Labelled({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <span className="flex items-center gap-1.5">
      <span className="text-muted-foreground">{label}</span>
      {children}
    </span>
  )
}
