import type { Column } from '@/lib/api/client'

/** How a result is charted: kept in the shared link and with a saved query (the API's ChartSettings). */
export type ChartSettings = { kind: 'bar' | 'line' | 'area' | 'scatter'; x: string; y: string[]; series?: string }

export const CHART_KINDS: ChartSettings['kind'][] = ['bar', 'line', 'area', 'scatter']

/** The most y columns a chart draws, and the most series a series column splits them into. */
export const MAX_Y = 10
export const MAX_SERIES = 12

const NUMBER = /^(tinyint|smallint|int|integer|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|float|real|double|decimal|numeric)\b/i
const TIME = /^(date|timestamp|time)\b/i

export const isNumeric = (type: string) => NUMBER.test(type.trim())
export const isTemporal = (type: string) => TIME.test(type.trim())

/**
 * A chart to start from, from the column types: a date (else a text) column on x, the number
 * columns on y (at most three); a line over time, bars over categories, and a scatter when only
 * numbers are there. Undefined when there is nothing to plot (no number column besides x).
 */
export function suggestChart(columns: Column[]): ChartSettings | undefined {
  const temporal = columns.find((c) => isTemporal(c.type))
  const text = columns.find((c) => !isNumeric(c.type) && !isTemporal(c.type))
  const numbers = columns.filter((c) => isNumeric(c.type))
  const x = temporal ?? text ?? numbers[0]
  if (!x) return undefined
  const y = numbers.filter((c) => c !== x).slice(0, 3).map((c) => c.name)
  if (y.length === 0) return undefined
  const kind = temporal ? 'line' : text ? 'bar' : 'scatter'
  return { kind, x: x.name, y }
}

/** Settings that still fit the columns (a shared or saved chart over a result whose columns changed), or a suggestion. */
export function fitChart(settings: ChartSettings | undefined, columns: Column[]): ChartSettings | undefined {
  if (!settings) return suggestChart(columns)
  const names = new Set(columns.map((c) => c.name))
  const y = settings.y.filter((n) => names.has(n) && n !== settings.x).slice(0, MAX_Y)
  if (!names.has(settings.x) || y.length === 0) return suggestChart(columns)
  return { kind: settings.kind, x: settings.x, y, ...(settings.series && names.has(settings.series) && settings.series !== settings.x ? { series: settings.series } : {}) }
}

export type ChartData = {
  /** One object per x value (in the result's order), a number (or null) per series key. */
  points: Record<string, string | number | null>[]
  /** The keys drawn, each with its label. */
  series: { key: string; label: string }[]
  /** Series values past MAX_SERIES, left out (said under the chart). */
  droppedSeries: number
}

/** A cell as a number for the chart: big integers and decimals come as strings; anything else is a gap. */
export function toNumber(cell: unknown): number | null {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null
  if (typeof cell === 'string' && cell.trim() !== '') {
    const n = Number(cell)
    return Number.isFinite(n) ? n : null
  }
  if (typeof cell === 'boolean') return cell ? 1 : 0
  return null
}

/**
 * The rows shown, shaped for the chart. Without a series column each y column is a series; with
 * one, each of its values (in order of first appearance, at most MAX_SERIES) splits each y
 * column, and rows with the same x meet in one point.
 */
export function chartData(columns: Column[], rows: unknown[][], settings: ChartSettings): ChartData {
  const at = (name: string) => columns.findIndex((c) => c.name === name)
  const xi = at(settings.x)
  const ys = settings.y.map((name) => ({ name, i: at(name) })).filter((y) => y.i >= 0)
  const si = settings.series ? at(settings.series) : -1
  const label = (cell: unknown) => (cell === null || cell === undefined ? '(null)' : String(cell))
  const xOf = (row: unknown[]) => {
    const cell = row[xi]
    return isNumeric(columns[xi]?.type ?? '') && settings.kind === 'scatter' ? toNumber(cell) : label(cell)
  }
  if (si < 0) {
    return {
      points: rows.map((row) => ({ x: xOf(row), ...Object.fromEntries(ys.map((y) => [y.name, toNumber(row[y.i])])) })),
      series: ys.map((y) => ({ key: y.name, label: y.name })),
      droppedSeries: 0,
    }
  }
  const values: string[] = []
  const seen = new Set<string>()
  let dropped = 0
  const byX = new Map<string, Record<string, string | number | null>>()
  for (const row of rows) {
    const s = label(row[si])
    if (!seen.has(s)) {
      seen.add(s)
      if (values.length < MAX_SERIES) values.push(s)
      else dropped++
    }
    if (!values.includes(s)) continue
    const x = xOf(row)
    const key = String(x)
    const point = byX.get(key) ?? { x }
    for (const y of ys) point[ys.length === 1 ? s : `${y.name} · ${s}`] = toNumber(row[y.i])
    byX.set(key, point)
  }
  const series = values.flatMap((s) => ys.map((y) => (ys.length === 1 ? { key: s, label: s } : { key: `${y.name} · ${s}`, label: `${y.name} · ${s}` })))
  return { points: [...byX.values()], series, droppedSeries: dropped }
}

/** The chart as the shared link carries it (`&chart=`), and back; a link that does not read as one is ignored. */
export function encodeChart(settings: ChartSettings): string {
  return JSON.stringify(settings)
}

export function decodeChart(text: string | null): ChartSettings | undefined {
  if (!text) return undefined
  try {
    const v = JSON.parse(text) as Partial<ChartSettings>
    if (!CHART_KINDS.includes(v.kind as ChartSettings['kind']) || typeof v.x !== 'string' || !Array.isArray(v.y) || !v.y.every((y) => typeof y === 'string')) return undefined
    return { kind: v.kind!, x: v.x, y: v.y.slice(0, MAX_Y), ...(typeof v.series === 'string' ? { series: v.series } : {}) }
  } catch {
    return undefined
  }
}
