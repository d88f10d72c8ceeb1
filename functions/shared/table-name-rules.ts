// What makes a table name valid, with no dependencies: the API's schema and the web's form both
// check names with these rules, so the two cannot disagree.

export const MAX_TABLE_NAME_LENGTH = 64

/** Words that would have to be quoted in SQL; a table named so trips people up in every query. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'all', 'alter', 'and', 'as', 'between', 'by', 'case', 'cast', 'create', 'cross', 'delete',
  'describe', 'distinct', 'drop', 'else', 'end', 'except', 'exists', 'false', 'from', 'full',
  'group', 'having', 'in', 'inner', 'insert', 'intersect', 'into', 'is', 'join', 'left', 'like',
  'limit', 'natural', 'not', 'null', 'on', 'or', 'order', 'outer', 'right', 'select', 'table',
  'then', 'true', 'union', 'update', 'using', 'values', 'when', 'where', 'with',
])

export const TABLE_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,63}$/
export const TABLE_NAME_PATTERN_MESSAGE =
  'Table names use lower-case letters, digits and _, start with a letter or _, at most 64 characters'
export const RESERVED_WORD_MESSAGE =
  'This is an SQL keyword, so every query would have to quote it; add a word, e.g. orders instead of order'

/** What is wrong with a table name, in words, or null when it is fine. */
export function tableNameProblem(name: string): string | null {
  if (name === '') return 'Give the table a name'
  if (!TABLE_NAME_PATTERN.test(name)) return TABLE_NAME_PATTERN_MESSAGE
  if (RESERVED_WORDS.has(name)) return RESERVED_WORD_MESSAGE
  return null
}

/**
 * A table name suggested from an upload's file name, always valid:
 * `City People.csv` -> `city_people`, `trips.parquet` -> `trips`, `2024 sales (final).CSV.gz` -> `t_2024_sales_final`.
 * Accents are dropped (café -> cafe); a keyword gets `_table` (order.csv -> order_table); a
 * name with nothing usable left is `table_1`.
 */
export function tableNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).at(-1) ?? ''
  const name = base
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\.gz$/, '')
    .replace(/\.(csv|tsv|txt|parquet)$/, '')
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
  // Not plain 'table' for a name with no letters at all: that is a keyword too.
  const prefixed = /^[0-9]/.test(name) ? `t_${name}` : name || 'table_1'
  const short = prefixed.slice(0, MAX_TABLE_NAME_LENGTH).replace(/_+$/, '')
  return RESERVED_WORDS.has(short) ? `${short}_table` : short
}
