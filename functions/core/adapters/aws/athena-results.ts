import type { Column } from '../../ports/catalog.ts'
import type { Cell, QueryError } from '../../ports/query-runner.ts'

/** One column of GetQueryResults' ResultSetMetadata.ColumnInfo (the fields csvlake reads). */
export type AthenaColumnInfo = { Name: string | undefined; Type: string | undefined; Precision?: number | undefined; Scale?: number | undefined }

/** One cell of GetQueryResults: a NULL has no VarCharValue. */
export type AthenaDatum = { VarCharValue?: string }

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Athena's column types in the catalog's names, as local mode answers them: integer is int,
 * varchar and char are string, decimal gets its precision and scale.
 */
export function athenaColumns(info: AthenaColumnInfo[]): Column[] {
  return info.map((c, i) => ({ name: c.Name ?? `_col${i}`, type: athenaType(c) }))
}

function athenaType(c: AthenaColumnInfo): string {
  const t = (c.Type ?? 'varchar').toLowerCase()
  if (t === 'decimal') return `decimal(${c.Precision ?? 38},${c.Scale ?? 0})`
  if (t === 'integer') return 'int'
  if (t === 'varchar' || t === 'char' || t === 'json' || t === 'uuid' || t === 'time') return 'string'
  if (t === 'real') return 'float'
  if (t === 'varbinary') return 'binary'
  if (t === 'timestamp with time zone') return 'timestamp'
  return t
}

/**
 * A cell of GetQueryResults (every value a string) typed back by its column, so the API answers
 * the same JSON as local mode: integers as numbers (beyond 2^53 as strings), decimals as exact
 * strings, doubles as numbers (NaN and infinities as strings), booleans, dates as YYYY-MM-DD,
 * timestamps as ISO 8601 to the millisecond; NULL (no VarCharValue) as null.
 */
export function athenaCell(type: string, datum: AthenaDatum | undefined): Cell {
  const text = datum?.VarCharValue
  if (text === undefined) return null
  const t = type.toLowerCase()
  if (t === 'bigint' || t === 'int' || t === 'smallint' || t === 'tinyint') {
    if (!/^-?\d+$/.test(text)) return text
    const n = BigInt(text)
    return n <= MAX_SAFE && n >= -MAX_SAFE ? Number(n) : text
  }
  if (t === 'double' || t === 'float') {
    const n = Number(text)
    return Number.isFinite(n) ? n : text
  }
  if (t === 'boolean') return text === 'true'
  if (t === 'timestamp') {
    // "2024-01-02 03:04:05.678" (or without the fraction, or with a zone) -> ISO 8601 to the ms.
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(?: (UTC|Z))?$/.exec(text)
    if (!m) return text
    return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}${m[4] ? 'Z' : ''}`
  }
  return text
}

/**
 * A FAILED query's StateChangeReason as users read it: Athena (Trino) names the place as
 * "line 1:8: mismatched input ..." - 1-based line and column - which becomes SQL_ERROR with
 * them; the rest keep their text (a system error, ErrorCategory 1, is the engine's fault, not the SQL's).
 */
export function athenaError(reason: string | undefined, errorCategory?: number): QueryError {
  const text = reason?.trim() || 'The query failed without saying why.'
  const at = /line (\d+):(\d+): ?(.*)$/s.exec(text)
  if (at) return { code: 'SQL_ERROR', message: at[3] || text, line: Number(at[1]), column: Number(at[2]) }
  if (/access denied|not authorized|AccessDeniedException/i.test(text)) return { code: 'FORBIDDEN', message: text }
  if (/exceeded the data scanned limit|Query exhausted resources|bytes scanned/i.test(text)) return { code: 'TOO_LARGE', message: text }
  // AthenaError.ErrorCategory: 1 system, 2 user, 3 other.
  return { code: errorCategory === 1 ? 'ENGINE_ERROR' : 'SQL_ERROR', message: text }
}
