import { AppError } from '../errors.ts'
import { partsOf, versionAt, versionOf } from '../ingest/table-versions.ts'
import type { TableEntry, TableVersion } from '../ports/catalog.ts'
import type { VersionRelation } from '../ports/query-runner.ts'

/**
 * Time travel in SQL, in the forms users of other lakes would write:
 * - `orders FOR VERSION AS OF 3`, `orders FOR TIMESTAMP AS OF '2026-12-01 10:00'` (Iceberg and
 *   Delta in Spark, Trino and Athena; `TIMESTAMP '...'` and SYSTEM_TIME/SYSTEM_VERSION too);
 * - `orders AT (VERSION => 3)`, `orders AT (TIMESTAMP => '...')` (Snowflake, DuckDB).
 * The clause is found outside strings, quoted names and comments, and the reference is
 * rewritten to the version's own relation, `v3.orders` (a view of that version's parts with its
 * schema, so `orders.id` still names a column), padded so every later line and column of the SQL
 * stays where the user wrote it (errors point at their own text).
 */
export type TimeTravelRef = {
  table: string
  start: number
  end: number
  at: { version: number } | { timestamp: string }
  /** Whether an alias follows the clause (`... AS OF 3 o`, `... AS OF 3 AS o`). */
  aliased: boolean
}

/** Words that may follow a table reference and are not its alias. */
const NOT_ALIASES = new Set([
  'where', 'join', 'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural', 'positional', 'asof', 'anti', 'semi', 'lateral',
  'on', 'using', 'group', 'order', 'limit', 'offset', 'fetch', 'union', 'except', 'intersect', 'having', 'window', 'qualify',
  'tablesample', 'pivot', 'unpivot', 'for', 'at', 'then', 'when', 'else', 'end', 'select', 'from', 'with', 'returning',
])

type Token = { kind: 'word' | 'quoted' | 'number' | 'string' | 'punct'; text: string; start: number; end: number }

/** The time-travel clauses of `sql`, in order. */
export function timeTravelRefs(sql: string): TimeTravelRef[] {
  const tokens = tokenize(sql)
  const refs: TimeTravelRef[] = []
  for (let i = 0; i < tokens.length; i++) {
    const name = tokens[i]!
    if (name.kind !== 'word' && name.kind !== 'quoted') continue
    if (tokens[i - 1]?.text === '.' || tokens[i + 1]?.text === '.') continue
    const match = forAsOf(tokens, i + 1) ?? atArrow(tokens, i + 1)
    if (!match) continue
    const after = tokens[match.next]
    const aliased = after !== undefined && (after.kind === 'quoted' || (after.kind === 'word' && !NOT_ALIASES.has(after.text.toLowerCase())))
    refs.push({ table: name.kind === 'quoted' ? name.text : name.text.toLowerCase(), start: name.start, end: match.end, at: match.at, aliased })
    i = match.next - 1
  }
  return refs
}

/** A table of the tenant's as of one version: the relation a rewritten reference reads. */
export type VersionedTable = { entry: TableEntry; version: TableVersion; schema: string }

/** DuckDB's: the version's view in a schema of its own, `v3.orders` (TenantSandbox). */
export const schemaRelation: VersionRelation = (entry, version) => `v${version}.${quotedIfNeeded(entry.name)}`

/**
 * The SQL with each time-travel reference rewritten, and the versions it reads, resolved from
 * the tenant's tables. An unknown table or a version not kept is a SQL_ERROR at the reference's
 * line and column, saying which versions there are.
 */
export function resolveTimeTravel(sql: string, tables: TableEntry[], relation: VersionRelation = schemaRelation): { sql: string; versions: VersionedTable[] } {
  const refs = timeTravelRefs(sql)
  if (refs.length === 0) return { sql, versions: [] }
  const versions = new Map<string, VersionedTable>()
  let out = ''
  let from = 0
  for (const ref of refs) {
    const entry = tables.find((t) => t.name === ref.table)
    const version = atError(sql, ref, () => {
      if (!entry) throw new AppError('NOT_FOUND', `There is no table ${ref.table} to read an earlier version of.`)
      if ('version' in ref.at) return versionOf(entry, ref.at.version)
      const time = new Date(ref.at.timestamp.includes('T') || /[zZ]|[+-]\d\d:?\d\d$/.test(ref.at.timestamp) ? ref.at.timestamp : `${ref.at.timestamp.replace(' ', 'T')}Z`)
      if (Number.isNaN(time.getTime())) throw new AppError('BAD_REQUEST', `${ref.at.timestamp} is not a time; write it as '2026-12-01 10:00:00' (UTC) or with its offset.`)
      return versionAt(entry, time)
    })
    const schema = `v${version.version}`
    atError(sql, ref, () => partsOf(entry!, version))
    versions.set(`${schema}.${entry!.name}`, { entry: entry!, version, schema })
    const replacement = relation(entry!, version.version, ref.aliased)
    const original = sql.slice(ref.start, ref.end)
    out += sql.slice(from, ref.start) + padded(replacement, original)
    from = ref.end
  }
  return { sql: out + sql.slice(from), versions: [...versions.values()] }
}

/** The entry a version's view is built from: that version's parts and columns. */
export function versionEntry(v: VersionedTable): TableEntry {
  const parts = partsOf(v.entry, v.version)
  return { ...v.entry, columns: v.version.columns, parts, rowCount: v.version.rowCount, updatedAt: v.version.at, versions: [v.version], keptParts: [] }
}

function atError<T>(sql: string, ref: TimeTravelRef, run: () => T): T {
  try {
    return run()
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    const before = sql.slice(0, ref.start)
    const line = before.split('\n').length
    const column = ref.start - before.lastIndexOf('\n')
    throw new AppError('SQL_ERROR', err.message, { line, column })
  }
}

/**
 * `replacement` in the place of `original`, with its line breaks (so later lines keep their
 * numbers), padded to be as long when it is shorter (so the rest of its line keeps its columns).
 */
function padded(replacement: string, original: string): string {
  const breaks = original.replace(/[^\n]/g, '')
  if (replacement.length + breaks.length > original.length) return replacement + breaks
  const covered = original.slice(0, replacement.length).replace(/[^\n]/g, '')
  return replacement + covered + original.slice(replacement.length + covered.length).replace(/[^\n]/g, ' ')
}

export function quotedIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`
}

type Match = { at: TimeTravelRef['at']; end: number; next: number }

/** FOR VERSION|SYSTEM_VERSION AS OF n, FOR TIMESTAMP|SYSTEM_TIME AS OF [TIMESTAMP] 'text'. */
function forAsOf(t: Token[], i: number): Match | undefined {
  if (!is(t[i], 'for') || !is(t[i + 2], 'as') || !is(t[i + 3], 'of')) return undefined
  const kind = t[i + 1]?.text.toLowerCase()
  return value(t, i + 4, kind === 'version' || kind === 'system_version' ? 'version' : kind === 'timestamp' || kind === 'system_time' ? 'timestamp' : undefined)
}

/** AT (VERSION => n), AT (TIMESTAMP => [TIMESTAMP] 'text'). */
function atArrow(t: Token[], i: number): Match | undefined {
  if (!is(t[i], 'at') || t[i + 1]?.text !== '(' || t[i + 3]?.text !== '=>') return undefined
  const kind = t[i + 2]?.text.toLowerCase()
  const inner = value(t, i + 4, kind === 'version' ? 'version' : kind === 'timestamp' ? 'timestamp' : undefined)
  if (!inner || t[inner.next]?.text !== ')') return undefined
  return { at: inner.at, end: t[inner.next]!.end, next: inner.next + 1 }
}

function value(t: Token[], i: number, kind: 'version' | 'timestamp' | undefined): Match | undefined {
  if (kind === 'version') {
    const n = t[i]
    if (n?.kind !== 'number' || !/^\d+$/.test(n.text)) return undefined
    return { at: { version: Number(n.text) }, end: n.end, next: i + 1 }
  }
  if (kind === 'timestamp') {
    const j = is(t[i], 'timestamp') || is(t[i], 'timestamptz') ? i + 1 : i
    const s = t[j]
    if (s?.kind !== 'string') return undefined
    return { at: { timestamp: s.text.trim() }, end: s.end, next: j + 1 }
  }
  return undefined
}

function is(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toLowerCase() === word
}

/** Words, quoted names, numbers, strings and punctuation; comments and white space dropped. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < sql.length) {
    const c = sql[i]!
    if (/\s/.test(c)) {
      i++
    } else if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i)
      i = nl < 0 ? sql.length : nl + 1
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2)
      i = close < 0 ? sql.length : close + 2
    } else if (c === "'" || c === '"') {
      let j = i + 1
      let text = ''
      while (j < sql.length) {
        if (sql[j] === c && sql[j + 1] === c) {
          text += c
          j += 2
        } else if (sql[j] === c) {
          break
        } else {
          text += sql[j++]
        }
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', text, start: i, end: Math.min(j + 1, sql.length) })
      i = j + 1
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))![0]
      const close = sql.indexOf(tag, i + tag.length)
      const end = close < 0 ? sql.length : close + tag.length
      tokens.push({ kind: 'string', text: sql.slice(i + tag.length, close < 0 ? sql.length : close), start: i, end })
      i = end
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 256))!
      tokens.push({ kind: 'word', text: m[0], start: i, end: i + m[0].length })
      i += m[0].length
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9_.eE]*/.exec(sql.slice(i, i + 64))!
      tokens.push({ kind: 'number', text: m[0], start: i, end: i + m[0].length })
      i += m[0].length
    } else if (sql.startsWith('=>', i)) {
      tokens.push({ kind: 'punct', text: '=>', start: i, end: i + 2 })
      i += 2
    } else {
      tokens.push({ kind: 'punct', text: c, start: i, end: i + 1 })
      i++
    }
  }
  return tokens
}
