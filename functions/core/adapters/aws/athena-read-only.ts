import { AppError } from '../../errors.ts'

/**
 * Words that begin a statement Athena runs that is not a read (its DDL and DML reference). Any
 * other first word goes to Athena, which answers a typo as a syntax error with its line.
 */
const NON_READ_WORDS = new Set([
  'CREATE', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'DROP', 'ALTER', 'MSCK', 'UNLOAD', 'VACUUM', 'OPTIMIZE',
  'TRUNCATE', 'PREPARE', 'EXECUTE', 'DEALLOCATE', 'GRANT', 'REVOKE', 'CALL', 'USE', 'SET', 'RESET',
  'START', 'COMMIT', 'ROLLBACK', 'REFRESH', 'LOAD', 'REPAIR', 'COMMENT',
])

/**
 * Refuses (FORBIDDEN) a statement that is not a read, before Athena sees it: Athena also runs
 * CREATE TABLE AS, INSERT INTO, DROP, ALTER, MSCK, UNLOAD, VACUUM and OPTIMIZE, and a tenant's
 * SQL may do none of them. Athena runs one statement per query, so its first word decides; for
 * WITH, a write verb after it decides (`WITH x AS (...) INSERT ...` is not Athena SQL, but costs
 * nothing to refuse). EXPLAIN is judged by what it explains. This is the first line; the tenant's
 * credentials, which allow no Glue or S3 writes beyond the results folder, are the bound that holds.
 */
export function assertAthenaRead(sql: string): void {
  const words = wordsOf(sql)
  let at = 0
  if (words[at] === 'EXPLAIN') {
    at++
    if (words[at] === 'ANALYZE') at++
  }
  const first = words[at]
  if (first === undefined) throw new AppError('SQL_ERROR', 'There is no SQL to run; write a SELECT statement.')
  if (NON_READ_WORDS.has(first)) throw refusal(first)
  if (first === 'WITH') {
    const verb = words.slice(at + 1).find((w) => WRITE_VERBS.has(w))
    if (verb) throw refusal(verb)
  }
}

const WRITE_VERBS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'DROP', 'ALTER', 'UNLOAD'])

function refusal(word: string): AppError {
  return new AppError('FORBIDDEN', `Only reads run here (SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN); this statement starts with ${word}. Tables change only by loading a file.`)
}

/** The statement's bare words, upper-cased, in order: comments, strings and quoted names skipped. */
function wordsOf(sql: string): string[] {
  const words: string[] = []
  let i = 0
  while (i < sql.length) {
    const c = sql[i]!
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? sql.length : end + 1
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? sql.length : end + 2
    } else if (c === "'" || c === '"' || c === '`') {
      // A quote is escaped by doubling it: scanning on past a doubled one lands after the whole.
      let end = i + 1
      while (end < sql.length && !(sql[end] === c && sql[end + 1] !== c)) end += sql[end] === c ? 2 : 1
      i = end + 1
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1
      while (end < sql.length && /[A-Za-z0-9_]/.test(sql[end]!)) end++
      words.push(sql.slice(i, end).toUpperCase())
      i = end
    } else i++
  }
  return words
}
