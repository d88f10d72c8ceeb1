import type { DuckDBConnection } from '@duckdb/node-api'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  binsFor,
  EXACT_DISTINCT_UP_TO,
  isIntegerType,
  profileKindOf,
  temporalValue,
  TOP_VALUES,
  type ColumnProfile,
  type HistogramBin,
  type PartProfile,
  type ProfileKind,
} from '../../ingest/column-profile.ts'
import type { Column } from '../../ports/catalog.ts'
import type { DuckDbIngest } from './duckdb-ingest.ts'
import { sqlIdentifier, sqlString } from './duckdb-sql-text.ts'

/** Where a part's profile goes: beside it, named with `_` so Athena skips it. */
export function profilePathOf(parquetPath: string): string {
  return join(dirname(parquetPath), '_profile.json')
}

/**
 * Profiles the Parquet part at `parquetPath` (every row) and writes `_profile.json` beside it;
 * answers what it wrote. `columns` are the part's columns with their catalog types. Any code that
 * has written a part calls this (CSV conversion, columnar loads); the file travels with the part's
 * folder, so deleting the part deletes it.
 */
export async function writePartProfile(ingest: DuckDbIngest, parquetPath: string, columns: Column[]): Promise<PartProfile> {
  const started = performance.now()
  const profiled = await profilePart(ingest, parquetPath, columns)
  const profile: PartProfile = { rows: profiled[0]?.rows ?? (await countRows(ingest, parquetPath)), columns: profiled, ms: Math.round(performance.now() - started) }
  await writeFile(profilePathOf(parquetPath), JSON.stringify(profile))
  return profile
}

/**
 * One part's column profiles, in two passes over the Parquet file (columnar, so each reads only
 * the columns it needs, on the ingest instance's slots): first every column's nulls, approximate
 * distinct count, min, max and (text) approximate most frequent values; then, knowing the
 * ranges, the histogram bins of numbers and dates and the exact counts of those frequent values.
 */
export async function profilePart(ingest: DuckDbIngest, parquetPath: string, columns: Column[]): Promise<ColumnProfile[]> {
  if (columns.length === 0) return []
  return ingest.withConnection(async (conn) => {
    const from = `read_parquet(${sqlString(parquetPath)})`
    const first = await oneRow(conn, `SELECT count(*)::DOUBLE AS rows, ${columns.map((c, i) => firstPass(c, i)).join(', ')} FROM ${from}`)
    const rows = Number(first.rows)
    const profiles = columns.map((c, i) => baseProfile(c, i, rows, first))
    const second = columns.flatMap((c, i) => secondPass(c, i, profiles[i]!, first))
    const counted = second.length ? await oneRow(conn, `SELECT ${second.join(', ')} FROM ${from}`) : {}
    return profiles.map((p, i) => finish(p, columns[i]!, i, first, counted))
  })
}

type Row = Record<string, unknown>

async function oneRow(conn: DuckDBConnection, sql: string): Promise<Row> {
  return ((await conn.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {}) as Row
}

async function countRows(ingest: DuckDbIngest, parquetPath: string): Promise<number> {
  return ingest.withConnection(async (conn) => Number((await oneRow(conn, `SELECT count(*)::DOUBLE AS n FROM read_parquet(${sqlString(parquetPath)})`)).n))
}

/** The column as a number the histogram bins: its value, or epoch milliseconds for dates and timestamps. */
function numeric(c: Column, kind: ProfileKind): string {
  const x = sqlIdentifier(c.name)
  if (kind === 'date') return `epoch_ms(${x}::TIMESTAMP)::DOUBLE`
  if (kind === 'timestamp') return `epoch_ms(${x})::DOUBLE`
  return `${x}::DOUBLE`
}

/** Infinities and NaN (a double column may hold them) stay out of the range and the bins. */
function finite(c: Column, kind: ProfileKind): string {
  return kind === 'number' && !isIntegerType(c.type) && !c.type.startsWith('decimal') ? ` FILTER (WHERE isfinite(${sqlIdentifier(c.name)}))` : ''
}

function firstPass(c: Column, i: number): string {
  const x = sqlIdentifier(c.name)
  const kind = profileKindOf(c.type)
  const parts = [`count(${x})::DOUBLE AS n_${i}`, `approx_count_distinct(${x})::DOUBLE AS d_${i}`]
  if (kind === 'number' || kind === 'date' || kind === 'timestamp') {
    parts.push(`min(${numeric(c, kind)})${finite(c, kind)} AS lo_${i}`, `max(${numeric(c, kind)})${finite(c, kind)} AS hi_${i}`)
  }
  if (kind === 'text') parts.push(`min(${x})::VARCHAR AS lo_${i}`, `max(${x})::VARCHAR AS hi_${i}`, `approx_top_k(${x}, ${TOP_VALUES}) AS top_${i}`)
  if (kind === 'boolean') parts.push(`min(${x}) AS lo_${i}`, `max(${x}) AS hi_${i}`, `histogram(${x}::VARCHAR) AS top_${i}`)
  return parts.join(', ')
}

function baseProfile(c: Column, i: number, rows: number, first: Row): ColumnProfile {
  const kind = profileKindOf(c.type)
  const nonNull = Number(first[`n_${i}`])
  const value = (v: unknown) => {
    if (v === null || v === undefined) return null
    if (kind === 'date' || kind === 'timestamp') return temporalValue(Number(v), kind)
    if (kind === 'number') return Number(v)
    return v as string | boolean
  }
  // HyperLogLog can overshoot a little: never more distinct values than values.
  const distinct = Math.min(Math.round(Number(first[`d_${i}`])), nonNull)
  return { name: c.name, type: c.type, rows, nulls: rows - nonNull, distinct, distinctApprox: distinct > EXACT_DISTINCT_UP_TO, min: value(first[`lo_${i}`]), max: value(first[`hi_${i}`]) }
}

function rangeOf(c: Column, i: number, first: Row) {
  const lo = first[`lo_${i}`]
  const hi = first[`hi_${i}`]
  return lo === null || lo === undefined || hi === null || hi === undefined ? undefined : binsFor(Number(lo), Number(hi), isIntegerType(c.type))
}

function secondPass(c: Column, i: number, profile: ColumnProfile, first: Row): string[] {
  const kind = profileKindOf(c.type)
  // Few values make a small hash table: count them exactly (HyperLogLog is ~10% off at 50).
  const exact = profile.distinctApprox || profile.distinct === 0 ? [] : [`count(DISTINCT ${sqlIdentifier(c.name)})::DOUBLE AS dx_${i}`]
  if (kind === 'text') {
    const tops = ((first[`top_${i}`] as string[] | null) ?? []).filter((v) => !v.includes('\0'))
    return [...exact, ...(tops.length ? [`histogram(${sqlIdentifier(c.name)}) FILTER (WHERE ${sqlIdentifier(c.name)} IN (${tops.map(sqlString).join(', ')})) AS tc_${i}`] : [])]
  }
  if (kind !== 'number' && kind !== 'date' && kind !== 'timestamp') return exact
  const range = rangeOf(c, i, first)
  if (!range || profile.rows === profile.nulls) return []
  const width = (range.upper - range.lower) / range.bins
  const v = numeric(c, kind)
  const bin = width === 0 ? '0' : `least(greatest(floor((${v} - ${range.lower}) / ${width}), 0), ${range.bins - 1})::INTEGER`
  const where = finite(c, kind) ? `isfinite(${sqlIdentifier(c.name)})` : `${sqlIdentifier(c.name)} IS NOT NULL`
  return [...exact, `histogram(${bin}) FILTER (WHERE ${where}) AS hist_${i}`]
}

type MapEntries = { key: unknown; value: unknown }[] | null

function finish(estimated: ColumnProfile, c: Column, i: number, first: Row, counted: Row): ColumnProfile {
  const kind = profileKindOf(c.type)
  const exact = counted[`dx_${i}`]
  const profile = exact === undefined || exact === null ? estimated : { ...estimated, distinct: Number(exact) }
  if (kind === 'text' || kind === 'boolean') {
    const entries = ((kind === 'text' ? counted[`tc_${i}`] : first[`top_${i}`]) as MapEntries) ?? []
    const top = entries
      .map((e) => ({ value: String(e.key), count: Number(e.value) }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, TOP_VALUES)
    return { ...profile, top }
  }
  if (kind !== 'number' && kind !== 'date' && kind !== 'timestamp') return profile
  const range = rangeOf(c, i, first)
  if (!range) return profile
  const counts = new Map(((counted[`hist_${i}`] as MapEntries) ?? []).map((e) => [Number(e.key), Number(e.value)]))
  const width = (range.upper - range.lower) / range.bins
  const histogram: HistogramBin[] = Array.from({ length: range.bins }, (_, b) => ({
    lower: range.lower + b * width,
    upper: b === range.bins - 1 ? range.upper : range.lower + (b + 1) * width,
    count: counts.get(b) ?? 0,
  }))
  return { ...profile, histogram }
}
