import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDenied } from './duckdb-read-only.ts'
import { planStatement } from './duckdb-statement.ts'

// DuckDB's built-in macros are expanded when a query is bound, after the parse-tree check has
// looked at it: a macro whose definition reaches a denied function or table must be denied by
// its own name. This keeps the deny list complete as DuckDB adds macros.

let instance: DuckDBInstance
let conn: DuckDBConnection
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csvlake-macros-'))
  instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' })
  conn = await instance.connect()
})
afterAll(async () => {
  conn.closeSync()
  instance.closeSync()
  await rm(dir, { recursive: true, force: true })
})

type Macro = { name: string; table: boolean; definition: string }

async function builtInMacros(): Promise<Macro[]> {
  const reader = await conn.runAndReadAll(
    "SELECT DISTINCT function_name, function_type, macro_definition FROM duckdb_functions() WHERE function_type IN ('macro', 'table_macro') AND macro_definition IS NOT NULL",
  )
  return reader.getRows().map(([name, type, definition]) => ({ name: String(name), table: type === 'table_macro', definition: String(definition).toLowerCase() }))
}

/** The names a definition calls (`name(`, quoted or not) and the tables it reads (`FROM name`). */
function namesIn(definition: string) {
  const calls = [...definition.matchAll(/"?([a-z_][a-z0-9_]*)"?\s*\(/g)].map((m) => m[1]!)
  const tables = [...definition.matchAll(/\b(?:from|join)\s+(?:[a-z_]+\.)*"?([a-z_][a-z0-9_]*)"?/g)].map((m) => m[1]!)
  return { calls, tables }
}

describe("DuckDB's built-in macros", () => {
  it('are denied when what they expand to reaches a denied function or table', async () => {
    const macros = await builtInMacros()
    expect(macros.length).toBeGreaterThan(50)
    const reaching = new Set<string>()
    for (let grew = true; grew; ) {
      grew = false
      for (const macro of macros) {
        if (reaching.has(macro.name)) continue
        const { calls, tables } = namesIn(macro.definition)
        const bad =
          calls.some((n) => n !== macro.name && (isDenied(n, 'function') || reaching.has(n))) ||
          tables.some((n) => isDenied(n, 'table') || isDenied(n, 'function'))
        if (bad) {
          reaching.add(macro.name)
          grew = true
        }
      }
    }
    const found = macros.filter((m) => reaching.has(m.name)).map((m) => `${m.table ? 'table macro' : 'macro'} ${m.name}`)
    // What DuckDB 1.5 has: kept here so a new one shows in the test's output.
    expect(found.sort()).toEqual(['table macro duckdb_profiling_settings', 'table macro histogram', 'table macro histogram_values'])
    for (const macro of macros.filter((m) => reaching.has(m.name))) {
      expect([macro.name, isDenied(macro.name, macro.table ? 'table function' : 'function')]).toEqual([macro.name, true])
    }
  })

  it('cannot read the engine settings through histogram_values, histogram or duckdb_profiling_settings', async () => {
    for (const sql of [
      "SELECT * FROM histogram_values('pg_'||'settings', name)",
      "SELECT * FROM histogram('pg_settings', name)",
      "FROM main.histogram_values(source := 'duckdb_' || 'settings()', col_name := name)",
      'SELECT * FROM duckdb_profiling_settings()',
      "SELECT * FROM (SELECT 1) a, LATERAL (SELECT * FROM histogram_values('pg_settings', name)) b",
    ]) {
      await expect(planStatement(conn, sql, join(dir, 'out.parquet')), sql).rejects.toMatchObject({ code: 'FORBIDDEN' })
    }
    await expect(planStatement(conn, 'SELECT histogram(x) AS h FROM range(3) t(x)', join(dir, 'out.parquet'))).resolves.toBeDefined()
  })
})
