import {
  LIST,
  StatementType,
  VARCHAR,
  listValue,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBValue,
} from '@duckdb/node-api'
import { AppError } from '../../errors.ts'
import type { Column } from '../../ports/catalog.ts'
import type { QueryError } from '../../ports/query-runner.ts'
import {
  assertAllowedReferences,
  assertReadType,
  classifySql,
  mentionsDeniedName,
  notARead,
  type ReadStatement,
} from './duckdb-read-only.ts'
import { parseSqlError } from './duckdb-sql-errors.ts'
import { sqlIdentifier, sqlString } from './duckdb-sql-text.ts'
import { resultTypeOf, storedAsText } from './duckdb-values.ts'

/** A checked read, ready to run on the connection it was prepared on. */
export type StatementPlan = {
  columns: Column[]
  /** Where `run()` writes the whole result as Parquet. */
  target: string
  /**
   * Runs the query reading at most `limit` + 1 rows: the rows when that is all of them (a small
   * result, answered and stored without Parquet), undefined when there are more.
   */
  readSmall(limit: number): Promise<DuckDBValue[][] | undefined>
  /** Writes every row to the Parquet file at the plan's target; resolves to the row count. */
  run(): Promise<number>
  /** Turns an error the run threw into what the user sees, positions in their SQL. */
  describeError(err: unknown): QueryError
}

/**
 * Checks `sql` is one read and prepares it to write its result to `target`. Refusals
 * (FORBIDDEN) come before anything binds or runs; parse and bind errors are SQL_ERROR with the
 * line and column; reading outside the tenant's folders is FORBIDDEN.
 */
export async function planStatement(conn: DuckDBConnection, sql: string, target: string): Promise<StatementPlan> {
  const statement = classifySql(sql)
  const prepared = await prepareRead(conn, statement)
  const columns = Array.from({ length: prepared.columnCount }, (_, i) => ({
    name: prepared.columnName(i),
    type: resultTypeOf(prepared.columnType(i)),
  }))
  const errorsIn = (prefix: string) => (err: unknown): QueryError => {
    const e = translate(err, statement.body, prefix)
    const { line, column } = e.details
    return {
      code: e.code,
      message: e.message,
      ...(typeof line === 'number' ? { line } : {}),
      ...(typeof column === 'number' ? { column } : {}),
    }
  }

  if (statement.kind === 'explain') {
    // EXPLAIN cannot sit inside COPY: its few rows are read, then written.
    return {
      columns,
      target,
      describeError: errorsIn(''),
      readSmall: async () => undefined,
      run: async () => {
        const rows = (await prepared.runAndReadAll()).getRows()
        const lists = columns.map((_, i) => listValue(rows.map((r) => (r[i] == null ? null : String(r[i])))))
        const select = columns.map((c, i) => `unnest($${i + 1}::VARCHAR[]) AS ${sqlIdentifier(c.name)}`).join(', ')
        await conn.run(`COPY (SELECT ${select}) TO ${sqlString(target)} (FORMAT parquet)`, lists, lists.map(() => LIST(VARCHAR)))
        return rows.length
      },
    }
  }

  // DESCRIBE/SUMMARIZE/SHOW only parse as a subquery; HUGEINT columns are stored as text.
  const asText = Array.from({ length: prepared.columnCount }, (_, i) => storedAsText(prepared.columnType(i)))
  const projection = asText.some(Boolean)
    ? columns.map((c, i) => `${asText[i] ? `CAST(#${i + 1} AS VARCHAR)` : `#${i + 1}`} AS ${sqlIdentifier(c.name)}`).join(', ')
    : undefined
  const prefix = projection ? `COPY (SELECT ${projection} FROM (` : statement.kind === 'describe' ? 'COPY (FROM (' : 'COPY ('
  let prefixed = false
  // The newline ends a trailing '--' comment, so it cannot swallow the wrapper.
  const suffix = `${prefix.endsWith('FROM (') ? '\n))' : '\n)'} TO ${sqlString(target)} (FORMAT parquet)`
  return {
    columns,
    target,
    describeError: (err) => (prefixed ? errorsIn(prefix) : errorsIn(''))(err),
    readSmall: async (limit) => {
      const reader = await prepared.streamAndReadUntil(limit + 1)
      return reader.done && reader.currentRowCount <= limit ? reader.getRows() : undefined
    },
    run: async () => {
      // Prepared only when the result is too big to answer from memory.
      prefixed = true
      const copy = await prepareOne(conn, prefix + statement.body + suffix, statement.body, prefix)
      if (StatementType[copy.statementType] !== 'COPY') throw new AppError('FORBIDDEN', 'This SQL does not stand on its own as one query.')
      return Number((await copy.runAndReadAll()).getRows()[0]?.[0] ?? 0)
    },
  }
}

async function prepareRead(conn: DuckDBConnection, statement: ReadStatement): Promise<DuckDBPreparedStatement> {
  const checked = statement.inner ?? statement
  // The parse-tree check costs a query of its own; it runs when a denied name is in the text.
  const refs = mentionsDeniedName(checked.body) ? await referencesOf(conn, checked.body) : { functions: [], tables: [] }
  if (refs) assertAllowedReferences(refs)
  const prepared = await prepareOne(conn, statement.body, statement.body, '', statement.keyword)
  assertReadType(statement.kind, StatementType[prepared.statementType])
  if (statement.inner) {
    // EXPLAIN ANALYZE runs what it explains: that must be a read too.
    const inner = await prepareOne(conn, statement.inner.body, statement.inner.body, '')
    assertReadType(statement.inner.kind, StatementType[inner.statementType])
  }
  // Not serializable yet a SELECT: something these checks cannot see into; refuse to be safe.
  if (!refs) throw new AppError('SQL_ERROR', 'This query uses a construct csvlake cannot check; rewrite it as a plain SELECT.')
  if (prepared.parameterCount > 0) {
    throw new AppError('SQL_ERROR', 'Parameters ($1, ?) are not supported here; write the values into the SQL.')
  }
  return prepared
}

/** Prepares the one statement in `text`; errors point into `userSql`, which sits after `prefix`. */
async function prepareOne(
  conn: DuckDBConnection,
  text: string,
  userSql: string,
  prefix: string,
  keyword = '',
): Promise<DuckDBPreparedStatement> {
  try {
    // One round trip for the usual case of one statement: DuckDB's prepare parses, binds and
    // refuses several statements at once (running none of them).
    return await conn.prepare(text)
  } catch {
    // Whatever went wrong, the two steps below say it as they always have: how many statements
    // there are, or the parse or bind error. Only a failed prepare pays for a second parse.
  }
  try {
    const extracted = await conn.extractStatements(text)
    if (extracted.count !== 1) {
      if (keyword.startsWith('PIVOT')) {
        throw new AppError('SQL_ERROR', "PIVOT needs its values listed here: PIVOT t ON col IN ('a', 'b') USING sum(x).")
      }
      throw new AppError('FORBIDDEN', `Run one statement at a time; this SQL has ${extracted.count}.`)
    }
    return await extracted.prepare(0)
  } catch (err) {
    throw translate(err, userSql, prefix)
  }
}

/**
 * The functions and tables a SELECT names, from DuckDB's own parse tree (no binding, nothing
 * runs), so no quoting or spelling trick hides a call. Undefined when the statement is not a
 * SELECT the serializer knows; FORBIDDEN when the parser says it is no SELECT at all.
 */
async function referencesOf(conn: DuckDBConnection, sql: string) {
  const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)}::VARCHAR)`)
  const tree: unknown = JSON.parse(String(reader.getRows()[0]?.[0] ?? '{}'))
  if (isObject(tree) && String(tree.error_message).startsWith('Only SELECT statements')) throw notARead()
  if (!isObject(tree) || tree.error !== false) return undefined
  const refs = { functions: new Set<string>(), tables: new Set<string>(), tableFunctions: new Set<string>() }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit)
    } else if (isObject(node)) {
      if (typeof node.function_name === 'string') refs.functions.add(node.function_name)
      if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string') refs.tables.add(node.table_name)
      // A table macro is expanded only when bound: here it is a name called in FROM.
      if (node.type === 'TABLE_FUNCTION' && isObject(node.function) && typeof node.function.function_name === 'string') {
        refs.tableFunctions.add(node.function.function_name)
      }
      Object.values(node).forEach(visit)
    }
  }
  visit(tree)
  return refs
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** DuckDB's error as an AppError: FORBIDDEN for file access outside the sandbox, else SQL_ERROR. */
function translate(err: unknown, userSql: string, prefix: string): AppError {
  if (err instanceof AppError) return err
  const info = parseSqlError(err instanceof Error ? err.message : String(err), userSql, prefix)
  if (info.kind === 'Permission') {
    const path = /Cannot access (?:file|directory) "([^"]*)"/.exec(info.message)?.[1]
    const what = path ? `"${path}" is not one of your tables` : 'that is outside your tables'
    return new AppError('FORBIDDEN', `Queries may read only your own tables; ${what}.`)
  }
  if (info.kind === 'INTERRUPT') return new AppError('CONFLICT', 'The query was interrupted.')
  const at = info.line === undefined ? {} : { line: info.line, ...(info.column === undefined ? {} : { column: info.column }) }
  return new AppError('SQL_ERROR', info.message, at)
}
