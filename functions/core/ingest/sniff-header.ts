import { columnType, valueType } from './sniff-infer.ts'

/**
 * Whether the first row names the columns. The rule, in order (users can override it):
 * 1. Row 1 all blank: not a header.
 * 2. A row-1 cell that is a number/boolean/date over a column of the same kind of values: data.
 * 3. A text cell over a typed column (e.g. "price" over numbers): a header. Blank row-1 cells
 *    are allowed here, for exports like pandas' whose index column has no name.
 * 4. Otherwise, if every column is text: a header when row 1's values are non-blank, distinct
 *    (case-insensitive), and none of them appears again below in its column.
 */
export function looksLikeHeader(rows: string[][]): boolean {
  const [first, ...rest] = rows
  if (!first) return false
  const names = first.map((cell) => cell.trim())
  if (names.every((name) => name === '')) return false
  let evidence = false
  for (const [i, name] of names.entries()) {
    if (name === '') continue
    const below = columnType(rest.map((row) => row[i]))
    const cell = valueType(name)
    if (cell !== 'string' && below !== 'string') {
      if (kind(cell) === kind(below)) return false
      // A value of another kind (e.g. "f", a boolean, over numbers) is not that column's data.
      evidence = true
    }
    if (cell === 'string' && below !== 'string') evidence = true
  }
  if (evidence) return true
  if (names.some((name) => name === '' || valueType(name) !== 'string')) return false
  if (new Set(names.map((name) => name.toLowerCase())).size !== names.length) return false
  return !names.some((name, i) => rest.some((row) => row[i]?.trim() === name))
}

/** Types whose values can stand in one column: numbers with numbers, dates with timestamps. */
function kind(type: string): 'number' | 'time' | 'boolean' | 'string' {
  if (type === 'bigint' || type === 'double' || type.startsWith('decimal')) return 'number'
  if (type === 'date' || type === 'timestamp') return 'time'
  return type === 'boolean' ? 'boolean' : 'string'
}

/**
 * Column names for the table: row 1 trimmed when it is a header, else column_1..column_n with n
 * the most common field count. Blank names become column_<position>; names that repeat
 * (case-insensitively, as SQL identifiers do) get _2, _3, ... suffixes.
 */
export function columnNamesFor(rows: string[][], header: boolean): string[] {
  const raw = header ? (rows[0] ?? []).map((cell) => cell.trim()) : new Array<string>(commonFieldCount(rows)).fill('')
  const used = new Set<string>()
  return raw.map((name, i) => {
    const base = name === '' ? `column_${i + 1}` : name
    let unique = base
    for (let n = 2; used.has(unique.toLowerCase()); n++) unique = `${base}_${n}`
    used.add(unique.toLowerCase())
    return unique
  })
}

/** The most common number of fields per record; the larger on a tie. */
export function commonFieldCount(rows: string[][]): number {
  const counts = new Map<number, number>()
  for (const row of rows) counts.set(row.length, (counts.get(row.length) ?? 0) + 1)
  let best = 0
  let bestSeen = 0
  for (const [count, seen] of counts) {
    if (seen > bestSeen || (seen === bestSeen && count > best)) [best, bestSeen] = [count, seen]
  }
  return best
}
