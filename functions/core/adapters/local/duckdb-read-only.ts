import { AppError } from '../../errors.ts'

/**
 * What a tenant's SQL may be: one read. DuckDB decides: its parser's statement type must be
 * SELECT (or EXPLAIN of a SELECT), and the functions and tables in its parse tree must not be
 * denied. The text rules here do only what DuckDB cannot tell: refuse a statement that starts
 * with a known non-read keyword before anything opens (cheap), find where the SQL ends, whether
 * it is a DESCRIBE/SUMMARIZE/SHOW (wrapped differently), and the statement an EXPLAIN explains.
 * Each of those can only refuse, or hand DuckDB text it checks again: a misreading here never
 * lets a write through. What does not parse is DuckDB's parser's to report (400, with where).
 */

/** query: rows from SELECT-like SQL; describe: DESCRIBE/SUMMARIZE/SHOW; explain: a plan. */
export type ReadKind = 'query' | 'describe' | 'explain'

export type ReadStatement = {
  kind: ReadKind
  /** The first keyword, upper-case ('' when the SQL does not start with a word). */
  keyword: string
  /**
   * The SQL without trailing semicolons and comments, safe to embed in `COPY (...)`; it starts
   * where the SQL starts, so positions in it are positions in the SQL.
   */
  body: string
  /** For EXPLAIN: the statement explained, which must be a read too (EXPLAIN ANALYZE runs it). */
  inner?: ReadStatement
}

const QUERY_WORDS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'PIVOT', 'UNPIVOT', 'PIVOT_WIDER', 'PIVOT_LONGER'])
const DESCRIBE_WORDS = new Set(['DESCRIBE', 'SUMMARIZE', 'SHOW'])
const WRITE_VERBS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])
/**
 * Words that start a DuckDB statement which is never a read: refused before the engine opens
 * anything. Any other word goes on to DuckDB's parser, which reports a typo (SELEC) as a syntax
 * error and whose statement type decides the rest.
 */
const NON_READ_WORDS = new Set([
  ...WRITE_VERBS,
  'ABORT', 'ALTER', 'ANALYZE', 'ANALYSE', 'ATTACH', 'BEGIN', 'CALL', 'CHECKPOINT', 'COMMENT', 'COMMIT', 'COPY',
  'CREATE', 'DEALLOCATE', 'DETACH', 'DROP', 'END', 'EXECUTE', 'EXPORT', 'FORCE', 'IMPORT', 'INSTALL', 'LOAD',
  'PRAGMA', 'PREPARE', 'RESET', 'ROLLBACK', 'SET', 'START', 'TRUNCATE', 'USE', 'VACUUM',
])
const ONLY_READS = 'Only SELECT, WITH, EXPLAIN and DESCRIBE run here'

/**
 * Functions a read may not call even though the statement is a SELECT: they read the engine's
 * settings, run SQL built from strings (which would slip past these checks), change the
 * instance's state or write files, or read raw memory.
 */
const DENIED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['current_setting', 'it reads the engine settings'],
  ['duckdb_settings', 'it reads the engine settings'],
  ['query', 'it runs SQL built from a string'],
  ['query_table', 'it runs SQL built from a string'],
  ['json_execute_serialized_sql', 'it runs SQL built from a string'],
  ['checkpoint', 'it changes the engine state'],
  ['force_checkpoint', 'it changes the engine state'],
  ['enable_logging', 'it changes the engine state'],
  ['disable_logging', 'it changes the engine state'],
  ['truncate_duckdb_logs', 'it changes the engine state'],
  ['write_log', 'it changes the engine state'],
  ['enable_profiling', 'it changes the engine state'],
  ['disable_profiling', 'it changes the engine state'],
  ['enable_peg_parser', 'it changes the engine state'],
  ['disable_peg_parser', 'it changes the engine state'],
  ['check_peg_parser', 'it changes the engine state'],
  ['arrow_scan', 'it reads raw memory'],
  ['arrow_scan_dumb', 'it reads raw memory'],
])
const DENIED_TABLES: ReadonlyMap<string, string> = new Map([['pg_settings', 'it reads the engine settings']])
/**
 * DuckDB's built-in table macros whose definition reaches a denied function or table: the parse
 * tree shows only the macro's name (it is expanded when bound), so the macro itself is denied.
 * histogram_values runs query_table on its first argument, a string (histogram calls
 * histogram_values); duckdb_profiling_settings reads duckdb_settings(). Found in
 * duckdb_functions() (function_type 'table_macro', macro_definition); a test there keeps this
 * list complete. Only as a table function: the histogram() aggregate reads just its column.
 */
const DENIED_TABLE_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['histogram_values', 'it runs a table name given as text as SQL (query_table); use the histogram(column) aggregate instead'],
  ['histogram', 'it runs a table name given as text as SQL (query_table); use the histogram(column) aggregate instead'],
  ['duckdb_profiling_settings', 'it reads the engine settings'],
])

/**
 * Whether the SQL text could call a denied function or table at all: a name that is not in
 * the text cannot be called, so most queries skip the parse-tree check.
 */
export function mentionsDeniedName(sql: string): boolean {
  const text = sql.toLowerCase()
  for (const name of DENIED_FUNCTIONS.keys()) if (text.includes(name)) return true
  for (const name of DENIED_TABLES.keys()) if (text.includes(name)) return true
  for (const name of DENIED_TABLE_FUNCTIONS.keys()) if (text.includes(name)) return true
  return false
}

/** Whether `name` is denied as a function, a table or a table function (for checks of the list). */
export function isDenied(name: string, as: 'function' | 'table' | 'table function'): boolean {
  const list = as === 'function' ? DENIED_FUNCTIONS : as === 'table' ? DENIED_TABLES : DENIED_TABLE_FUNCTIONS
  return list.has(name.toLowerCase())
}

/**
 * Classifies one statement by its text; throws FORBIDDEN when it starts with a word that only
 * begins non-reads, SQL_ERROR when empty. Anything else is left to DuckDB's parser.
 */
export function classifySql(sql: string): ReadStatement {
  const tokens = tokenize(sql)
  while (tokens.length > 0 && tokens[tokens.length - 1]?.text === ';') tokens.pop()
  const last = tokens[tokens.length - 1]
  if (!last) throw new AppError('SQL_ERROR', 'There is no SQL to run; write a SELECT statement.')
  return classifyTokens(sql, tokens, 0, last.end)
}

function classifyTokens(sql: string, tokens: Token[], start: number, end: number): ReadStatement {
  const first = tokens.find((t) => t.text !== '(')
  const body = sql.slice(start, end)
  // Not a word (e.g. a number): the engine's parser reports it, and its statement type is checked.
  if (!first || first.type !== 'word') return { kind: 'query', keyword: '', body }
  const keyword = first.text.toUpperCase()
  if (keyword === 'WITH') {
    const verb = mainVerb(tokens)
    if (verb && WRITE_VERBS.has(verb)) throw refusal(verb)
  }
  if (DESCRIBE_WORDS.has(keyword)) return { kind: 'describe', keyword, body }
  if (NON_READ_WORDS.has(keyword)) throw refusal(keyword)
  // '(EXPLAIN ...)' does not parse, nor does a typo: the engine's parser says so, with where.
  if (keyword !== 'EXPLAIN' || first !== tokens[0]) return { kind: 'query', keyword, body }
  const rest = explained(tokens)
  const innerStart = rest[0]?.start
  if (innerStart === undefined) throw new AppError('SQL_ERROR', 'EXPLAIN needs a statement to explain, e.g. EXPLAIN SELECT ...')
  // EXPLAIN ANALYZE runs the statement DuckDB finds after the options, and only the one found
  // here is checked to be a read: both must start at the same place. Words, parentheses, commas
  // and plain 'strings' lex alike everywhere; quoting or comments there could not be trusted.
  if (!PLAIN_EXPLAIN_OPTIONS.test(sql.slice(start, innerStart))) {
    throw new AppError('SQL_ERROR', "Write EXPLAIN [ANALYZE] [(FORMAT json)] and then the query; csvlake cannot check options with quoted text, $ or comments.")
  }
  const inner = classifyTokens(sql, rest, innerStart, end)
  if (inner.kind === 'explain') throw refusal('EXPLAIN of an EXPLAIN')
  return { kind: 'explain', keyword, body, inner }
}

const PLAIN_EXPLAIN_OPTIONS = /^(?:[A-Za-z0-9_ \t\n\r\f(),=]|'[A-Za-z0-9_ ]*')*$/

/** What a WITH statement does once its CTEs are defined: the first statement word outside parentheses. */
function mainVerb(tokens: Token[]): string | undefined {
  let depth = 0
  for (const token of tokens.slice(1)) {
    if (token.text === '(') depth++
    else if (token.text === ')') depth--
    else if (depth === 0 && token.type === 'word') {
      const word = token.text.toUpperCase()
      if (WRITE_VERBS.has(word) || QUERY_WORDS.has(word)) return word
    }
  }
  return undefined
}

/** The tokens after EXPLAIN [ANALYZE] [(options)]. */
function explained(tokens: Token[]): Token[] {
  let i = 1
  if (/^ANALY[SZ]E$/i.test(tokens[i]?.text ?? '')) i++
  const next = tokens[i + 1]
  const startsStatement = next && (next.text === '(' || QUERY_WORDS.has(next.text.toUpperCase()) || DESCRIBE_WORDS.has(next.text.toUpperCase()))
  if (tokens[i]?.text === '(' && !startsStatement) {
    let depth = 0
    for (; i < tokens.length; i++) {
      const text = tokens[i]?.text
      if (text === '(') depth++
      if (text === ')' && --depth === 0) {
        i++
        break
      }
    }
  }
  return tokens.slice(i)
}

/** Throws FORBIDDEN unless the parsed statement's type is the one its kind allows. */
export function assertReadType(kind: ReadKind, statementType: string): void {
  const allowed = kind === 'explain' ? 'EXPLAIN' : 'SELECT'
  if (statementType !== allowed) throw refusal(statementKindName(statementType))
}

/**
 * Throws FORBIDDEN when a read calls a denied function or reads a denied table. `tableFunctions`
 * are the names called in FROM (a macro there is denied by its name, not by what it expands to).
 */
export function assertAllowedReferences(refs: { functions: Iterable<string>; tables: Iterable<string>; tableFunctions?: Iterable<string> }): void {
  for (const name of refs.functions) {
    const why = DENIED_FUNCTIONS.get(name.toLowerCase())
    if (why) throw new AppError('FORBIDDEN', `The function ${name.toLowerCase()}() is not allowed here: ${why}.`)
  }
  for (const name of refs.tableFunctions ?? []) {
    const why = DENIED_TABLE_FUNCTIONS.get(name.toLowerCase())
    if (why) throw new AppError('FORBIDDEN', `The function ${name.toLowerCase()}() is not allowed here: ${why}.`)
  }
  for (const name of refs.tables) {
    const why = DENIED_TABLES.get(name.toLowerCase())
    if (why) throw new AppError('FORBIDDEN', `The table ${name.toLowerCase()} is not allowed here: ${why}.`)
  }
}

/** The refusal for SQL that is not one read: names what it is. */
export function refusal(kind: string): AppError {
  const article = /^[AEIOU]/i.test(kind) && !/^US/i.test(kind) ? 'an' : 'a'
  return new AppError('FORBIDDEN', `${ONLY_READS}; this is ${article} ${kind} statement.`)
}

/** The refusal when the engine's parser says the statement is not a SELECT. */
export function notARead(): AppError {
  return new AppError('FORBIDDEN', `${ONLY_READS}; this statement does more than read.`)
}

/** Engine statement type names as people say them: VARIABLE_SET -> SET, COPY_DATABASE -> COPY DATABASE. */
function statementKindName(statementType: string): string {
  if (statementType === 'VARIABLE_SET') return 'SET'
  if (statementType === 'CREATE_FUNC') return 'CREATE FUNCTION'
  if (statementType === 'MERGE_INTO') return 'MERGE'
  return statementType.replaceAll('_', ' ')
}

type Token = { type: 'word' | 'identifier' | 'string' | 'number' | 'parameter' | 'symbol'; text: string; start: number; end: number }

/**
 * DuckDB's lexical rules, as far as classifying needs them: comments (nested), strings ('' and
 * E'\'' escapes, $tag$ quoting with tags of any letters, é included), quoted identifiers, words and
 * single-character symbols.
 * An unterminated string or comment ends the scan; the engine's parser then reports it.
 */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const push = (type: Token['type'], start: number, end: number) => {
    tokens.push({ type, text: sql.slice(start, end), start, end })
    i = end
  }
  while (i < sql.length) {
    const c = sql[i] ?? ''
    const next = sql[i + 1] ?? ''
    if (/\s/.test(c)) {
      i++
    } else if (c === '-' && next === '-') {
      // DuckDB ends a line comment at \n or \r.
      while (i < sql.length && sql[i] !== '\n' && sql[i] !== '\r') i++
    } else if (c === '/' && next === '*') {
      i = blockCommentEnd(sql, i)
    } else if (c === "'") {
      const prev = tokens[tokens.length - 1]
      const escaped = prev?.end === i && prev.type === 'word' && /^e$/i.test(prev.text)
      push('string', i, quotedEnd(sql, i, "'", escaped))
    } else if (c === '"') {
      push('identifier', i, quotedEnd(sql, i, '"', false))
    } else if (c === '$') {
      // A tag is an identifier as DuckDB's scanner has it: any non-ASCII character counts as a letter.
      const tag = /^\$([A-Za-z_\u0080-\u{10FFFF}][A-Za-z0-9_\u0080-\u{10FFFF}]*)?\$/u.exec(sql.slice(i))
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length)
        push('string', i, close < 0 ? sql.length : close + tag[0].length)
      } else {
        push('parameter', i, i + 1 + (/^[A-Za-z0-9_]*/.exec(sql.slice(i + 1))?.[0].length ?? 0))
      }
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      push('number', i, i + (/^[0-9A-Za-z_.]+/.exec(sql.slice(i))?.[0].length ?? 1))
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      push('word', i, i + (/^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i))?.[0].length ?? 1))
    } else {
      push(c === '?' ? 'parameter' : 'symbol', i, i + 1)
    }
  }
  return tokens
}

function blockCommentEnd(sql: string, start: number): number {
  let depth = 0
  let i = start
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++
      i += 2
    } else if (sql.startsWith('*/', i)) {
      depth--
      i += 2
      if (depth === 0) return i
    } else {
      i++
    }
  }
  return sql.length
}

/** The end of a quoted run starting at `start`; a doubled quote is an escaped quote. */
function quotedEnd(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1
  while (i < sql.length) {
    const c = sql[i]
    if (backslashEscapes && c === '\\') {
      i += 2
    } else if (c === quote) {
      if (sql[i + 1] !== quote) return i + 1
      i += 2
    } else {
      i++
    }
  }
  return sql.length
}
