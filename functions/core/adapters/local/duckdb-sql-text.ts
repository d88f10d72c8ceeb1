/** A string literal for DuckDB SQL: standard strings, where only the quote needs doubling. */
export function sqlString(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL string cannot hold a NUL character')
  return `'${value.replaceAll("'", "''")}'`
}

/** A quoted identifier: any table or column name, keywords included. */
export function sqlIdentifier(name: string): string {
  if (name.includes('\0')) throw new Error('a SQL identifier cannot hold a NUL character')
  return `"${name.replaceAll('"', '""')}"`
}
