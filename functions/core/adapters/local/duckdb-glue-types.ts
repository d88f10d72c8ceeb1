/**
 * DuckDB type names <-> the Glue/Athena names the catalog records, so a table reads the same
 * in both modes.
 */
export function glueTypeOf(duckdbType: string): string {
  const t = duckdbType.toUpperCase()
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t)
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`
  switch (t) {
    case 'BIGINT':
    case 'HUGEINT':
    case 'UBIGINT':
    case 'UINTEGER':
      return 'bigint'
    case 'INTEGER':
      return 'int'
    case 'SMALLINT':
    case 'USMALLINT':
      return 'smallint'
    case 'TINYINT':
    case 'UTINYINT':
      return 'tinyint'
    case 'DOUBLE':
      return 'double'
    case 'FLOAT':
      return 'float'
    case 'BOOLEAN':
      return 'boolean'
    case 'DATE':
      return 'date'
    case 'TIMESTAMP':
    case 'TIMESTAMP_NS':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP WITH TIME ZONE':
      return 'timestamp'
    case 'BLOB':
      return 'binary'
    case 'VARCHAR':
    case 'TIME':
    case 'UUID':
    case 'SQLNULL':
    case '"NULL"':
      return 'string'
    default:
      return t.toLowerCase()
  }
}

export function duckdbTypeOf(glueType: string): string {
  const t = glueType.toLowerCase()
  if (t.startsWith('decimal')) return t.toUpperCase()
  const map: Record<string, string> = {
    bigint: 'BIGINT',
    int: 'INTEGER',
    integer: 'INTEGER',
    smallint: 'SMALLINT',
    tinyint: 'TINYINT',
    double: 'DOUBLE',
    float: 'FLOAT',
    boolean: 'BOOLEAN',
    date: 'DATE',
    timestamp: 'TIMESTAMP',
    binary: 'BLOB',
    string: 'VARCHAR',
  }
  return map[t] ?? 'VARCHAR'
}
