/** A column as the catalog records it: its name and its Glue/Athena type name (bigint, decimal(10,2), string, ...). */
export type Column = { name: string; type: string }

/** Types a new file's column may have and still be appended to a column of the table's type. */
const WIDENS_TO: Record<string, string[]> = {
  bigint: ['bigint', 'int', 'smallint', 'tinyint'],
  double: ['double', 'float', 'bigint', 'int', 'smallint', 'tinyint'],
  timestamp: ['timestamp', 'date'],
  string: ['string', 'bigint', 'int', 'double', 'boolean', 'date', 'timestamp'],
}

/**
 * Why `incoming` cannot be appended to a table with `existing` columns, in words a person can
 * act on; empty when it can (same names in the same order, each type equal or widening).
 */
export function schemaDifferences(existing: Column[], incoming: Column[]): string[] {
  const problems: string[] = []
  const names = (cols: Column[]) => cols.map((c) => c.name.toLowerCase())
  const have = names(existing)
  const got = names(incoming)
  const missing = have.filter((n) => !got.includes(n))
  const extra = got.filter((n) => !have.includes(n))
  if (missing.length) problems.push(`the file lacks column(s) ${missing.join(', ')}`)
  if (extra.length) problems.push(`the file has new column(s) ${extra.join(', ')}`)
  if (problems.length === 0 && have.join('\u0000') !== got.join('\u0000')) {
    problems.push(`the columns are in another order (table: ${have.join(', ')}; file: ${got.join(', ')})`)
  }
  if (problems.length) return problems
  existing.forEach((col, i) => {
    const other = incoming[i]
    if (!other || other.type === col.type) return
    if (!fits(col.type, other.type)) {
      problems.push(`column ${col.name} is ${col.type} in the table but ${other.type} in the file`)
    }
  })
  return problems
}

const DECIMAL = /^decimal\((\d+),(\d+)\)$/

/**
 * Whether a file's column of type `file` can load into the table's type `table`: appending converts
 * the file with the table's types, and that conversion still refuses (or skips) a value that does not fit.
 */
function fits(table: string, file: string): boolean {
  if ((WIDENS_TO[table] ?? [table]).includes(file)) return true
  const wanted = DECIMAL.exec(table)
  // Whole numbers load into a decimal column as the table has it; the load checks each value fits.
  if (wanted && file === 'bigint') return true
  const got = DECIMAL.exec(file)
  if (!got) return false
  // Any decimal reads as double or text; as a decimal when it has no more digits on either side of the point.
  if (table === 'double' || table === 'string') return true
  if (!wanted) return false
  const [p, s] = [Number(wanted[1]), Number(wanted[2])]
  const [q, t] = [Number(got[1]), Number(got[2])]
  return t <= s && q - t <= p - s
}
