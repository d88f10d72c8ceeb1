import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Column } from '../../ports/catalog.ts'
import type { OnError, RejectedRow } from '../../ports/workflow.ts'
import type { Dialect } from '../../ingest/dialect.ts'
import { evenFileLineEndings } from './even-file-line-endings.ts'
import { duckdbTypeOf, glueTypeOf } from './duckdb-glue-types.ts'
import { withoutPaths } from '../../ingest/path-free-message.ts'
import { plainDuckDbMessage } from './duckdb-plain-message.ts'
import { MAX_DECIMAL_PRECISION } from '../../ingest/sniff-infer.ts'
import { sqlIdentifier, sqlString } from './duckdb-sql-text.ts'
import pLimit, { type LimitFunction } from 'p-limit'

/** How the lake's Parquet files are written. */
const LAKE_PARQUET = 'FORMAT parquet, PARQUET_VERSION v2'

/** Types the crawler may infer; TIME is left out (Athena has no TIME column type). */
const TYPE_CANDIDATES = ['BOOLEAN', 'BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR']
const MAX_LISTED_REJECTS = 100
/** A sampled decimal column gets at least this precision. */
const SAMPLED_DECIMAL_PRECISION = 18
/** Rows the crawler samples for types when it does not read the whole file. */
export const SAMPLE_ROWS = 20_480

export type ConvertResult = { rowsLoaded: number; rowsRejected: number; rejected: RejectedRow[] }

/** A failure a person can act on: the line, column and value of the row that could not load. */
export class RowError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: string,
    readonly value?: string,
  ) {
    super(message)
    this.name = 'RowError'
  }
}

/**
 * The local crawler and converter, on the ingest DuckDB instance (never the one user SQL runs in).
 * Both parse the staged UTF-8 file with exactly the dialect the user saw in the preview.
 */
export class DuckDbIngest {
  private readonly slots: LimitFunction

  /**
   * `maxConcurrent`: the DuckDB calls ingest runs at once, whoever's jobs they are. They run on the
   * serving process's thread pool (libuv's 4 threads), which every file read and write of every
   * tenant also needs: however many jobs run, two threads stay free for those.
   */
  constructor(
    private readonly instance: DuckDBInstance,
    maxConcurrent = 2,
  ) {
    this.slots = pLimit(maxConcurrent)
  }

  /**
   * Column names and types: from every row with `wholeFile`, else from the first SAMPLE_ROWS
   * rows - then the conversion checks every row against them, and a value that does not fit
   * sends the job back here for the whole file (see `convert`'s `guarded`).
   */
  async crawl(path: string, dialect: Dialect, opts: { wholeFile: boolean }): Promise<Column[]> {
    try {
      return await this.evenlyOnFailure(path, dialect, () => this.crawlOnce(path, dialect, opts))
    } catch (err) {
      // The sniffer only says it gave up; reading every row as text with the dialect names the line.
      const why = /Error when sniffing file/.test(messageOf(err)) ? ((await this.rowErrorIn(path, dialect)) ?? unreadable(dialect)) : err
      throw withoutServerPaths(why, { [path]: 'the uploaded file' })
    }
  }

  private async crawlOnce(path: string, dialect: Dialect, opts: { wholeFile: boolean }): Promise<Column[]> {
    return this.withConnection(async (conn) => {
      const reader = await conn.runAndReadAll(
        // Rows that do not parse are left out of the type inference here; the conversion reports them.
        `DESCRIBE SELECT * FROM read_csv(${sqlString(path)}, ${dialectOptions(dialect, true)}, ` +
          `sample_size = ${opts.wholeFile ? -1 : SAMPLE_ROWS}, ignore_errors = true, ` +
          `auto_type_candidates = [${TYPE_CANDIDATES.map(sqlString).join(', ')}])`,
      )
      const rows = reader.getRowObjectsJS() as { column_name: string; column_type: string }[]
      const columns = rows.map((r) => ({ name: r.column_name, type: glueTypeOf(r.column_type) }))
      return this.exactDecimals(conn, path, dialect, columns, opts.wholeFile)
    })
  }

  /**
   * DuckDB's sniffer reads 19.99 as DOUBLE; when every value of such a column is written out in
   * full (no exponent) and fits 38 digits, the column is an exact decimal(p,s) instead - as the
   * preview says. One pass over the text of those columns only.
   */
  private async exactDecimals(conn: DuckDBConnection, path: string, dialect: Dialect, columns: Column[], wholeFile: boolean): Promise<Column[]> {
    const doubles = columns.flatMap((c, i) => (c.type === 'double' ? [i] : []))
    if (doubles.length === 0) return columns
    const stats = doubles.map((i) => {
      const v = `trim(${sqlIdentifier(columns[i]!.name)})`
      return [
        `bool_and(${v} IS NULL OR regexp_full_match(${v}, '[+-]?([0-9]+(\\.[0-9]+)?|\\.[0-9]+)')) AS plain_${i}`,
        `coalesce(max(length(regexp_extract(${v}, '\\.([0-9]+)$', 1))), 0) AS scale_${i}`,
        `coalesce(max(length(regexp_extract(${v}, '^[+-]?([0-9]*)', 1))), 0) AS digits_${i}`,
      ].join(', ')
    })
    const text = `read_csv(${sqlString(path)}, ${dialectOptions(dialect, true)}, all_varchar = true, ignore_errors = true)`
    const reader = await conn.runAndReadAll(
      `SELECT ${stats.join(', ')} FROM ${wholeFile ? text : `(SELECT * FROM ${text} LIMIT ${SAMPLE_ROWS})`}`,
    )
    const row = reader.getRowObjectsJS()[0] ?? {}
    return columns.map((column, i) => {
      if (!doubles.includes(i) || row[`plain_${i}`] !== true) return column
      const scale = Number(row[`scale_${i}`])
      // A sample shows the decimals but not the biggest value: leave room for 18 digits (what a
      // 64-bit decimal holds anyway) rather than send the job back for the whole file.
      const seen = Math.max(Number(row[`digits_${i}`]), 1) + scale
      const precision = wholeFile ? seen : Math.max(seen, SAMPLED_DECIMAL_PRECISION)
      return precision <= MAX_DECIMAL_PRECISION ? { ...column, type: `decimal(${precision},${scale})` } : column
    })
  }

  /**
   * Writes the typed Parquet copy at `target` (via a temp name). With onError 'fail', the first
   * row that does not parse or cast fails with its line; with 'skip', bad rows are counted and listed.
   */
  async convert(
    path: string,
    dialect: Dialect,
    columns: Column[],
    target: string,
    onError: OnError,
    opts: { guarded?: boolean } = {},
  ): Promise<ConvertResult> {
    try {
      return await this.evenlyOnFailure(path, dialect, () => this.convertOnce(path, dialect, columns, target, onError, opts))
    } catch (err) {
      throw withoutServerPaths(err, { [path]: 'the uploaded file', [target]: "the table's Parquet file" })
    }
  }

  private async convertOnce(
    path: string,
    dialect: Dialect,
    columns: Column[],
    target: string,
    onError: OnError,
    opts: { guarded?: boolean },
  ): Promise<ConvertResult> {
    const temp = `${target}.tmp`
    await mkdir(dirname(target), { recursive: true })
    // Guarded (types from a sample): decimals and integers are read as text and cast here, refusing
    // any value with more decimals than the type holds - DuckDB would round it silently ("2.5" to
    // BIGINT is 3).
    const guard = (c: Column) => Boolean(opts.guarded) && (/^decimal\(/.test(c.type) || INTEGER_TYPES.has(c.type.toLowerCase()))
    const typed = columns.map((c) => `${sqlString(c.name)}: ${sqlString(guard(c) ? 'VARCHAR' : duckdbTypeOf(c.type))}`).join(', ')
    const skip = onError === 'skip'
    const reader =
      `read_csv(${sqlString(path)}, ${dialectOptions(dialect, false)}, auto_detect = false, columns = {${typed}}` +
      (skip ? `, store_rejects = true, rejects_table = 'csvlake_rejects', rejects_scan = 'csvlake_scans'` : '') +
      ')'
    const guarded = (c: Column) => (/^decimal\(/.test(c.type) ? guardedDecimal(c) : guardedInteger(c))
    const source = columns.some(guard) ? `(SELECT ${columns.map((c) => (guard(c) ? guarded(c) : sqlIdentifier(c.name))).join(', ')} FROM ${reader})` : reader
    try {
      return await this.withConnection(async (conn) => {
        let loaded: number
        try {
          // Parquet v2 pages and encodings (delta, byte-stream-split): measured on 10M rows, half the
          // CPU per point lookup, a GROUP BY ~25% faster and files ~15% smaller, for the same write time.
          // Spark, Trino/Athena, pyarrow and DuckDB all read them.
          const result = await conn.runAndReadAll(`COPY (SELECT * FROM ${source}) TO ${sqlString(temp)} (${LAKE_PARQUET})`)
          loaded = Number(result.getRowsJS()[0]?.[0] ?? 0)
        } catch (err) {
          throw isCsvError(err) ? rowErrorFrom(err) : err
        }
        const rejected = skip ? await listRejects(conn) : { count: 0, rows: [] }
        await rename(temp, target)
        return { rowsLoaded: loaded, rowsRejected: rejected.count, rejected: rejected.rows }
      })
    } finally {
      await rm(temp, { force: true })
    }
  }

  /**
   * DuckDB's strict reader refuses a file that mixes line breaks (files joined end to end), which
   * the preview reads: when it refuses one, even them out in the staged copy and read it again.
   * A file that does not mix them costs nothing here until DuckDB has already failed.
   */
  private async evenlyOnFailure<T>(path: string, dialect: Dialect, read: () => Promise<T>): Promise<T> {
    try {
      return await read()
    } catch (err) {
      if (!/Error when sniffing file|state machine reached an invalid state/.test(messageOf(err))) throw err
      if (!(await evenFileLineEndings(path, dialect))) throw err
      return read()
    }
  }

  /** The first row that does not parse with the dialect, every column read as text. */
  private async rowErrorIn(path: string, dialect: Dialect): Promise<RowError | undefined> {
    const text = dialect.columnNames.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(', ')
    try {
      await this.withConnection((conn) =>
        conn.run(`SELECT count(*) FROM read_csv(${sqlString(path)}, ${dialectOptions(dialect, false)}, auto_detect = false, columns = {${text}})`),
      )
      return undefined
    } catch (err) {
      return isCsvError(err) ? rowErrorFrom(err) : undefined
    }
  }

  /**
   * A connection on the ingest instance, within its concurrency slots: for the steps that read the
   * part just written (its column profile, duckdb-profile.ts), so they wait their turn as a conversion does.
   */
  withConnection<T>(use: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.slots(async () => {
      const conn = await this.instance.connect()
      try {
        return await use(conn)
      } finally {
        conn.closeSync()
      }
    })
  }
}

async function listRejects(conn: DuckDBConnection): Promise<{ count: number; rows: RejectedRow[] }> {
  const count = await conn.runAndReadAll('SELECT count(*) FROM csvlake_rejects')
  const rows = await conn.runAndReadAll(
    `SELECT line, column_name, csv_line, error_message FROM csvlake_rejects ORDER BY line LIMIT ${MAX_LISTED_REJECTS}`,
  )
  return {
    count: Number(count.getRowsJS()[0]?.[0] ?? 0),
    rows: (rows.getRowsJS() as unknown[][]).map(([line, column, csvLine, message]) => ({
      line: Number(line),
      column: column == null ? null : String(column),
      value: csvLine == null ? null : String(csvLine),
      message: String(message),
    })),
  }
}

function dialectOptions(d: Dialect, withNames: boolean): string {
  return [
    `delim = ${sqlString(d.delimiter)}`,
    `quote = ${sqlString(d.quote)}`,
    `escape = ${sqlString(d.escape)}`,
    `header = ${d.header}`,
    ...(withNames ? [`names = [${d.columnNames.map(sqlString).join(', ')}]`] : []),
    `encoding = 'utf-8'`,
    `strict_mode = true`,
    `null_padding = false`,
  ].join(', ')
}

/** The value as decimal(p,s), or an error when it has more decimals than s (never rounded). */
function guardedDecimal(c: Column): string {
  const scale = Number(/,(\d+)\)$/.exec(c.type)?.[1] ?? 0)
  const v = `trim(${sqlIdentifier(c.name)})`
  return (
    `CASE WHEN strpos(${v}, '.') > 0 AND length(${v}) - strpos(${v}, '.') > ${scale} ` +
    `THEN error('Could not convert string "' || ${v} || '" to ${c.type} without rounding') ` +
    `ELSE CAST(${v} AS ${duckdbTypeOf(c.type)}) END AS ${sqlIdentifier(c.name)}`
  )
}

/** Glue's integer types, which DuckDB fills from text by rounding a fraction. */
const INTEGER_TYPES = new Set(['bigint', 'int', 'integer', 'smallint', 'tinyint'])

/** An integer column read as text: a whole number (signs and spaces around allowed) is cast, anything else refused. */
function guardedInteger(c: Column): string {
  const v = `trim(${sqlIdentifier(c.name)})`
  return (
    `CASE WHEN NOT regexp_full_match(${v}, '[+-]?[0-9]+') ` +
    `THEN error('Could not convert string "' || ${v} || '" to ${c.type.toUpperCase()} without rounding') ` +
    `ELSE CAST(${v} AS ${duckdbTypeOf(c.type)}) END AS ${sqlIdentifier(c.name)}`
  )
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function unreadable(d: Dialect): Error {
  return new Error(
    `The file could not be read as CSV with the delimiter ${JSON.stringify(d.delimiter)}, quote ${JSON.stringify(d.quote)} ` +
      `and escape ${JSON.stringify(d.escape)} the preview showed. Check them in the preview, and the problems it lists.`,
  )
}

/** The error as users may see it: DuckDB's developer details cut, server paths named in words. */
function withoutServerPaths(err: unknown, paths: Record<string, string>): Error {
  if (err instanceof RowError) return new RowError(withoutPaths(err.message, paths), err.line, err.column, err.value)
  return new Error(withoutPaths(plainDuckDbMessage(messageOf(err)), paths), { cause: err })
}

export function isCsvError(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err)
  return /CSV Error|Line:|Could not convert|Conversion Error|Expected Number of Columns|unterminated quote/i.test(text)
}

/** DuckDB's CSV errors name the line, and often the column and value: keep them for the job's error. */
export function rowErrorFrom(err: unknown): RowError {
  const text = err instanceof Error ? err.message : String(err)
  const line = /Line:\s*(\d+)/i.exec(text)?.[1]
  const column = /column "([^"]*)"/i.exec(text)?.[1]
  const value = /Could not convert string "([^"]*)"/i.exec(text)?.[1] ?? /Original Line:\s*(.*)/i.exec(text)?.[1]
  const headline = (text.split('\n').find((l) => l.trim().length > 0) ?? text).replace(/^[A-Za-z ]+Error:\s*/, '')
  // DuckDB's headline is often just "CSV Error on Line: 2", which says nothing the line number does
  // not: the reason is further down, in one of these forms.
  const reason =
    /Could not convert string "[^"]*" to [^\n]*/.exec(text)?.[0] ??
    /Expected Number of Columns: \d+ Found: \d+/.exec(text)?.[0] ??
    /Value with unterminated quote found/.exec(text)?.[0]
  const where = line ? `Line ${line}${column ? `, column ${column}` : ''}: ` : ''
  const detail = reason ?? headline
  return new RowError(
    `${where}${detail}. Fix the file, or submit with onError "skip" to load the other rows and list the rejected ones.`,
    line ? Number(line) : undefined,
    column,
    value,
  )
}
