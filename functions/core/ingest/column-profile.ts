/**
 * What a column holds, computed from a table's Parquet part as ingest writes it (`_profile.json`
 * beside the part; every figure from every row, except for a column of many values in a big
 * part: its distinct count is estimated, and its frequent text values found, from a sample -
 * adapters/local/duckdb-profile.ts), and merged over a table's parts when it is read.
 *
 * Values are JSON-safe: numbers for numeric columns (a bigint or decimal beyond 2^53 loses
 * precision here, as any JSON number does), ISO strings for dates (`2024-03-01`) and timestamps
 * (`2024-03-01T12:00:00.000`, naive, to the millisecond), `true`/`false` for booleans, and strings
 * for text.
 */
export type ProfileValue = number | string | boolean

/** How a column is profiled, from its catalog type. */
export type ProfileKind = 'number' | 'date' | 'timestamp' | 'boolean' | 'text' | 'other'

/** One value's count among the most frequent (text and booleans). */
export type TopValue = { value: string; count: number }

/**
 * One equal-width bin: values v with lower <= v < upper (the last bin includes its upper).
 * Bounds are numbers: the values themselves for numeric columns, milliseconds since 1970-01-01
 * for dates and timestamps (naive timestamps read as UTC).
 */
export type HistogramBin = { lower: number; upper: number; count: number }

export type ColumnProfile = {
  name: string
  /** The catalog's (Glue/Athena) type name. */
  type: string
  /** Rows the profile covers (null or not). */
  rows: number
  nulls: number
  /**
   * Distinct non-null values. Within a part: exact for a column of few values a row group and for
   * a small part; for a column of many values in a big part **approximate** (estimated from a
   * sample, see duckdb-profile.ts); over several parts an estimate (see `mergeProfiles`).
   * `distinctApprox` says which.
   */
  distinct: number
  distinctApprox: boolean
  /** Smallest and largest non-null value; null when the column has none (or its type has no order). */
  min: ProfileValue | null
  max: ProfileValue | null
  /**
   * Text and booleans: the most frequent values, most frequent first (at most TOP_VALUES); for a
   * text column of many values in a big part, only those that make up at least 1% of its rows.
   */
  top?: TopValue[]
  /** Numbers, dates and timestamps: counts per equal-width bin over [min, max]. */
  histogram?: HistogramBin[]
}

/** A part's `_profile.json`: its rows, its columns' profiles, and what profiling it took (for the bench). */
export type PartProfile = { rows: number; columns: ColumnProfile[]; ms: number }

/** The most frequent values a profile keeps. */
export const TOP_VALUES = 10
/** Bins of a histogram (fewer for a narrow integer range: one per value). */
export const HISTOGRAM_BINS = 20

/** A part's profile file: beside the part, named with `_` so Athena's table over the folder skips it. */
export function profileKeyOf(partKey: string): string {
  return `${partKey.slice(0, partKey.lastIndexOf('/') + 1)}_profile.json`
}

const INTEGER_TYPES = new Set(['bigint', 'int', 'integer', 'smallint', 'tinyint'])

export function profileKindOf(type: string): ProfileKind {
  const t = type.toLowerCase()
  if (INTEGER_TYPES.has(t) || t === 'double' || t === 'float' || t.startsWith('decimal')) return 'number'
  if (t === 'date') return 'date'
  if (t === 'timestamp') return 'timestamp'
  if (t === 'boolean') return 'boolean'
  if (t === 'string' || t.startsWith('varchar') || t.startsWith('char')) return 'text'
  return 'other'
}

export function isIntegerType(type: string): boolean {
  return INTEGER_TYPES.has(type.toLowerCase())
}

/**
 * The bins a histogram over [min, max] uses: HISTOGRAM_BINS of equal width. An integer column's
 * bins are whole numbers wide ([lower, upper) holds max), at most HISTOGRAM_BINS of them, so
 * 1..5 shows five bars, not twenty with gaps, and a value's bin is integer arithmetic. A single
 * value is one bin.
 */
export function binsFor(min: number, max: number, integer: boolean): { lower: number; upper: number; bins: number } {
  if (integer) {
    const width = Math.ceil((max - min + 1) / HISTOGRAM_BINS)
    const bins = Math.ceil((max - min + 1) / width)
    return { lower: min, upper: min + bins * width, bins }
  }
  if (max === min) return { lower: min, upper: max, bins: 1 }
  return { lower: min, upper: max, bins: HISTOGRAM_BINS }
}

/** A number bound of a histogram for a value of the column (dates and timestamps in epoch ms). */
export function numericOf(value: ProfileValue | null, kind: ProfileKind): number | undefined {
  if (value === null) return undefined
  if (typeof value === 'number') return value
  if (kind === 'date' || kind === 'timestamp') {
    const ms = Date.parse(kind === 'date' ? `${value}T00:00:00Z` : `${value}Z`)
    return Number.isFinite(ms) ? ms : undefined
  }
  return undefined
}

/** An epoch-ms figure as the column's value form (the reverse of numericOf). */
export function temporalValue(ms: number, kind: 'date' | 'timestamp'): string {
  const iso = new Date(ms).toISOString()
  return kind === 'date' ? iso.slice(0, 10) : iso.slice(0, -1)
}

/**
 * A table's profile from its parts' profiles (each from every row of its part), column by column
 * in the order the parts first name them. Exact: rows, nulls, min and max. Approximate:
 * - `distinct`: HyperLogLog sketches are not kept, so parts cannot be united exactly. When every
 *   part's values are (nearly, >= 90%) all different, as for ids, the parts' counts are summed;
 *   otherwise (categories, repeated across loads) the largest part's count is taken, a lower bound.
 *   Either way at most the non-null rows.
 * - `top`: counts summed over the parts that list a value among their most frequent; a part that
 *   did not list it adds nothing, so a count is a lower bound.
 * - `histogram`: one part's bins as they are; several parts' bins re-binned over the combined
 *   range, each bin's count spread evenly over its width (the total stays exact).
 */
export function mergeProfiles(parts: ColumnProfile[][]): ColumnProfile[] {
  const byName = new Map<string, ColumnProfile[]>()
  for (const part of parts) for (const column of part) byName.set(column.name, [...(byName.get(column.name) ?? []), column])
  return [...byName.values()].map((columns) => (columns.length === 1 ? columns[0]! : mergeColumn(columns)))
}

function mergeColumn(columns: ColumnProfile[]): ColumnProfile {
  const type = columns.at(-1)!.type
  const kind = profileKindOf(type)
  const rows = sum(columns.map((c) => c.rows))
  const nulls = sum(columns.map((c) => c.nulls))
  const present = columns.filter((c) => c.min !== null && c.max !== null)
  const min = present.length ? present.map((c) => c.min!).reduce((a, b) => (compare(b, a) < 0 ? b : a)) : null
  const max = present.length ? present.map((c) => c.max!).reduce((a, b) => (compare(b, a) > 0 ? b : a)) : null
  const distinct = mergeDistinct(columns, rows - nulls)
  // Exact only when one part holds every value (the others none), or none has any.
  const withValues = columns.filter((c) => c.rows > c.nulls)
  const distinctApprox = withValues.length > 1 || withValues.some((c) => c.distinctApprox)
  const merged: ColumnProfile = { name: columns[0]!.name, type, rows, nulls, distinct, distinctApprox, min, max }
  if (columns.some((c) => c.top)) merged.top = mergeTop(columns)
  const lo = numericOf(min, kind)
  const hi = numericOf(max, kind)
  if (columns.some((c) => c.histogram) && lo !== undefined && hi !== undefined) {
    merged.histogram = rebin(columns.flatMap((c) => c.histogram ?? []), binsFor(lo, hi, isIntegerType(type)))
  }
  return merged
}

function mergeDistinct(columns: ColumnProfile[], nonNull: number): number {
  const nearlyUnique = columns.every((c) => c.rows - c.nulls === 0 || c.distinct >= 0.9 * (c.rows - c.nulls))
  const estimate = nearlyUnique ? sum(columns.map((c) => c.distinct)) : Math.max(...columns.map((c) => c.distinct))
  return Math.min(estimate, nonNull)
}

function mergeTop(columns: ColumnProfile[]): TopValue[] {
  const counts = new Map<string, number>()
  for (const c of columns) for (const t of c.top ?? []) counts.set(t.value, (counts.get(t.value) ?? 0) + t.count)
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, TOP_VALUES)
}

/** Source bins spread evenly over their width into the target bins; largest remainders keep the total exact. */
function rebin(source: HistogramBin[], target: { lower: number; upper: number; bins: number }): HistogramBin[] {
  const width = (target.upper - target.lower) / target.bins
  const shares = new Array<number>(target.bins).fill(0)
  const binOf = (v: number) => (width === 0 ? 0 : Math.min(target.bins - 1, Math.max(0, Math.floor((v - target.lower) / width))))
  for (const bin of source) {
    if (bin.count === 0) continue
    if (bin.upper <= bin.lower || width === 0) {
      shares[binOf(bin.lower)]! += bin.count
      continue
    }
    for (let i = binOf(bin.lower); i <= binOf(bin.upper) && i < target.bins; i++) {
      const from = target.lower + i * width
      const overlap = Math.min(bin.upper, from + width) - Math.max(bin.lower, from)
      if (overlap > 0) shares[i]! += (bin.count * overlap) / (bin.upper - bin.lower)
    }
  }
  const counts = shares.map(Math.floor)
  let left = Math.round(sum(source.map((b) => b.count))) - sum(counts)
  const byRemainder = shares.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r)
  for (const { i } of byRemainder) {
    if (left <= 0) break
    counts[i]!++
    left--
  }
  return counts.map((count, i) => ({ lower: target.lower + i * width, upper: i === target.bins - 1 ? target.upper : target.lower + (i + 1) * width, count }))
}

function compare(a: ProfileValue, b: ProfileValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  const x = String(a)
  const y = String(b)
  return x < y ? -1 : x > y ? 1 : 0
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
