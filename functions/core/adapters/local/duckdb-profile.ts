import type { DuckDBConnection } from '@duckdb/node-api'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  binsFor,
  isIntegerType,
  profileKindOf,
  temporalValue,
  TOP_VALUES,
  type ColumnProfile,
  type HistogramBin,
  type PartProfile,
  type ProfileValue,
} from '../../ingest/column-profile.ts'
import type { Column } from '../../ports/catalog.ts'
import type { DuckDbIngest } from './duckdb-ingest.ts'
import { binned, binsSql, countsSql, footerSql, groupedSql, sampleSql, scanStatsSql, type Range } from './duckdb-profile-sql.ts'
import { sqlIdentifier, sqlString } from './duckdb-sql-text.ts'

/** Where a part's profile goes: beside it, named with `_` so Athena skips it. */
export function profilePathOf(parquetPath: string): string {
  return join(dirname(parquetPath), '_profile.json')
}

/**
 * Profiles the Parquet part at `parquetPath` (what is read how: see profilePart) and writes `_profile.json` beside it;
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

/** Parts up to this many rows are read whole for every figure: all of them exact. */
export const WHOLE_UP_TO = 262_144
/** Beyond that, the sample of many-valued columns: blocks spread evenly over the part. */
const SAMPLE_BLOCKS = 4
const SAMPLE_BLOCK_ROWS = 65_536
/** A many-valued text column lists the values that make up at least this share of the sample. */
const FREQUENT_SHARE = 0.01

/**
 * One part's column profiles. Measured on the bench's 10M rows, reading a column's every row
 * back costs up to half a second (long text), so each figure is taken where it is cheap:
 * - rows, nulls, min and max: from the Parquet footer, whose statistics the writer took from
 *   every row (a column whose footer lacks them is read);
 * - columns of few values a row group (dictionary-encoded, and booleans): every row grouped by
 *   value - exact distinct count, top values and histogram;
 * - columns of many values: the histogram from every row; the distinct count estimated (Chao1)
 *   from a sample of 4 blocks of 65,536 rows spread over the part (4 blocks read ~100 ms less
 *   than 8 of half the size, for as good an estimate on the bench's data); for text, the values
 *   that make up at least 1% of the sample, counted exactly over every row.
 * A part of at most WHOLE_UP_TO rows is its own sample: every figure is exact. The sample's blocks
 * are contiguous rows (so only their row groups are read): values that repeat with the period of
 * the blocks, or sorted in runs longer than a block, make the estimate low.
 */
export async function profilePart(ingest: DuckDbIngest, parquetPath: string, columns: Column[]): Promise<ColumnProfile[]> {
  if (columns.length === 0) return []
  return ingest.withConnection(async (conn) => {
    const from = `read_parquet(${sqlString(parquetPath)})`
    const rows = Number((await oneRow(conn, `SELECT count(*)::DOUBLE AS n FROM ${from}`)).n)
    const footer = await oneRow(conn, footerSql(parquetPath, columns))
    const whole = rows <= WHOLE_UP_TO
    const many = columns.filter((c, i) => !fewValues(c, i, footer))
    const sample = whole ? from : await sampleOf(conn, parquetPath, many, rows)
    const profiles: ColumnProfile[] = []
    for (const [i, c] of columns.entries()) {
      const stats = trusted(c, i, footer, rows) ? footer : await oneRow(conn, scanStatsSql(from, c, i))
      const base = baseProfile(c, i, rows, stats)
      const range = rangeOf(c, i, stats)
      profiles.push(
        fewValues(c, i, footer)
          ? await grouped(conn, from, c, base, range)
          : await manyValued(conn, { from, sample, whole }, c, base, range),
      )
    }
    return profiles
  })
}

type Row = Record<string, unknown>

async function oneRow(conn: DuckDBConnection, sql: string): Promise<Row> {
  return ((await conn.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {}) as Row
}

async function allRows(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Row[]
}

async function countRows(ingest: DuckDbIngest, parquetPath: string): Promise<number> {
  return ingest.withConnection(async (conn) => Number((await oneRow(conn, `SELECT count(*)::DOUBLE AS n FROM read_parquet(${sqlString(parquetPath)})`)).n))
}

/** Dictionary-encoded in every row group that has values (the writer found few values there), or boolean. */
function fewValues(c: Column, i: number, footer: Row): boolean {
  const kind = profileKindOf(c.type)
  if (kind === 'boolean') return true
  if (kind === 'other') return false
  return Number(footer[`groups_${i}`]) > 0 && Number(footer[`plain_${i}`]) === 0
}

/** The footer names the column in every row group, with exact finite statistics. */
function trusted(c: Column, i: number, footer: Row, rows: number): boolean {
  if (rows === 0) return true
  if (!(Number(footer[`groups_${i}`]) > 0) || Number(footer[`nonulls_${i}`]) > 0 || Number(footer[`inexact_${i}`]) > 0) return false
  const kind = profileKindOf(c.type)
  if (kind === 'other') return false
  return !binned(kind) || [footer[`lo_${i}`], footer[`hi_${i}`]].every((v) => v === null || v === undefined || Number.isFinite(Number(v)))
}

function baseProfile(c: Column, i: number, rows: number, stats: Row): ColumnProfile {
  const kind = profileKindOf(c.type)
  const value = (v: unknown): ProfileValue | null => {
    if (v === null || v === undefined) return null
    if (kind === 'date' || kind === 'timestamp') return temporalValue(Number(v), kind)
    if (kind === 'number') return Number(v)
    if (kind === 'boolean') return Boolean(v)
    return kind === 'text' ? String(v) : null
  }
  return { name: c.name, type: c.type, rows, nulls: Number(stats[`nulls_${i}`] ?? 0), distinct: 0, distinctApprox: false, min: value(stats[`lo_${i}`]), max: value(stats[`hi_${i}`]) }
}

function rangeOf(c: Column, i: number, stats: Row): Range | undefined {
  const lo = stats[`lo_${i}`]
  const hi = stats[`hi_${i}`]
  if (!binned(profileKindOf(c.type)) || lo === null || lo === undefined || hi === null || hi === undefined) return undefined
  return binsFor(Number(lo), Number(hi), isIntegerType(c.type))
}

function histogramOf(range: Range, counted: Row[]): HistogramBin[] {
  const counts = new Map(counted.map((r) => [Number(r.b), Number(r.c)]))
  const width = (range.upper - range.lower) / range.bins
  return Array.from({ length: range.bins }, (_, b) => ({
    lower: range.lower + b * width,
    upper: b === range.bins - 1 ? range.upper : range.lower + (b + 1) * width,
    count: counts.get(b) ?? 0,
  }))
}

async function grouped(conn: DuckDBConnection, from: string, c: Column, base: ColumnProfile, range: Range | undefined): Promise<ColumnProfile> {
  const result = await allRows(conn, groupedSql(from, c, range, TOP_VALUES))
  const distinct = Number(result[0]?.groups ?? 0)
  if (binned(profileKindOf(c.type))) return range ? { ...base, distinct, histogram: histogramOf(range, result) } : { ...base, distinct }
  return { ...base, distinct, top: result.map((r) => ({ value: String(r.v), count: Number(r.c) })) }
}

type Sources = { from: string; sample: string; whole: boolean }

async function manyValued(conn: DuckDBConnection, src: Sources, c: Column, base: ColumnProfile, range: Range | undefined): Promise<ColumnProfile> {
  const kind = profileKindOf(c.type)
  const s = await oneRow(conn, sampleSql(src.sample, c, TOP_VALUES))
  const nonNull = base.rows - base.nulls
  const profile = { ...base, ...distinctOf(s, nonNull, src.whole, isIntegerType(c.type) && range ? range.upper - range.lower : Infinity) }
  if (binned(kind)) return range ? { ...profile, histogram: histogramOf(range, await allRows(conn, binsSql(src.from, c, range))) } : profile
  if (kind !== 'text') return profile
  const sampled = ((s.top as { v: string; c: number }[] | null) ?? []).filter((t) => src.whole || Number(t.c) >= FREQUENT_SHARE * Number(s.n))
  if (src.whole || sampled.length === 0) return { ...profile, top: sampled.map((t) => ({ value: t.v, count: Number(t.c) })) }
  const counted = await allRows(conn, countsSql(src.from, c, sampled.map((t) => t.v).filter((v) => !v.includes('\0'))))
  const top = counted.map((r) => ({ value: String(r.v), count: Number(r.c) })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
  return { ...profile, top }
}

/**
 * Distinct values from the sample: exact when the sample is the part; else Chao1's estimate
 * d + f1(f1-1)/2(f2+1) - values seen once in the sample suggest more unseen - between the
 * sample's own count and the values there are (for integers, also the width of their range).
 */
function distinctOf(s: Row, nonNull: number, whole: boolean, integerSpan: number): { distinct: number; distinctApprox: boolean } {
  const d = Number(s.d ?? 0)
  if (whole) return { distinct: d, distinctApprox: false }
  const f1 = Number(s.f1 ?? 0)
  const f2 = Number(s.f2 ?? 0)
  const estimate = d + (f1 * (f1 - 1)) / (2 * (f2 + 1))
  return { distinct: Math.round(Math.max(d, Math.min(estimate, nonNull, integerSpan))), distinctApprox: true }
}

/** The sample of many-valued columns, as a temporary table of this connection. */
async function sampleOf(conn: DuckDBConnection, parquetPath: string, columns: Column[], rows: number): Promise<string> {
  const ranges = Array.from({ length: SAMPLE_BLOCKS }, (_, k) => {
    const start = Math.floor((k * rows) / SAMPLE_BLOCKS)
    return `file_row_number BETWEEN ${start} AND ${start + SAMPLE_BLOCK_ROWS - 1}`
  })
  const list = columns.length ? columns.map((c) => sqlIdentifier(c.name)).join(', ') : '1 AS none'
  await conn.run(`CREATE OR REPLACE TEMP TABLE csvlake_profile_sample AS SELECT ${list} FROM read_parquet(${sqlString(parquetPath)}, file_row_number = true) WHERE ${ranges.join(' OR ')}`)
  return 'csvlake_profile_sample'
}
