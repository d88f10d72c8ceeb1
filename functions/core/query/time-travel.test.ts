import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import { registerTable } from '../ingest/register-table.ts'
import type { TableEntry } from '../ports/catalog.ts'
import type { IngestInput } from '../ports/workflow.ts'
import { tenantId } from '../tenant.ts'
import { resolveTimeTravel, timeTravelRefs, versionEntry } from './time-travel.ts'

const tenant = tenantId('t1')
const input = (mode: IngestInput['mode'], jobId: string): IngestInput => ({
  jobId, tenant, fileId: `f-${jobId}`, fileName: `${jobId}.csv`, table: 'orders', mode, onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id'] },
})
const part = (jobId: string, rows: number) => ({ key: `lake/t1/orders/ingest_job=${jobId}/data.parquet`, rows, jobId, fileId: `f-${jobId}` })
const keepAll = { days: 365, max: 100 }

function orders(): TableEntry {
  const cols = [{ name: 'id', type: 'bigint' }]
  const v1 = registerTable(undefined, input('create', 'j1'), cols, part('j1', 2), new Date('2026-01-01T00:00:00Z'), keepAll).entry
  const v2 = registerTable(v1, input('append', 'j2'), cols, part('j2', 1), new Date('2026-01-02T00:00:00Z'), keepAll).entry
  return registerTable(v2, input('replace', 'j3'), [...cols, { name: 'note', type: 'string' }], part('j3', 5), new Date('2026-01-03T00:00:00Z'), keepAll).entry
}

describe('time travel in SQL', () => {
  it('finds the clauses users of Iceberg, Delta, Athena, Snowflake and DuckDB write, in any case', () => {
    const at = (sql: string) => timeTravelRefs(sql).map((r) => [r.table, r.at])
    expect(at('SELECT * FROM orders FOR VERSION AS OF 1')).toEqual([['orders', { version: 1 }]])
    expect(at('select * from Orders for system_version as of 2')).toEqual([['orders', { version: 2 }]])
    expect(at("SELECT * FROM orders FOR TIMESTAMP AS OF TIMESTAMP '2026-01-02 12:00:00'")).toEqual([['orders', { timestamp: '2026-01-02 12:00:00' }]])
    expect(at("SELECT * FROM orders FOR SYSTEM_TIME AS OF '2026-01-02'")).toEqual([['orders', { timestamp: '2026-01-02' }]])
    expect(at('SELECT * FROM orders AT (VERSION => 3)')).toEqual([['orders', { version: 3 }]])
    expect(at("SELECT * FROM \"orders\" AT(TIMESTAMP=>'2026-01-02T00:00:00Z') o")).toEqual([['orders', { timestamp: '2026-01-02T00:00:00Z' }]])
  })

  it('ignores the words inside strings, quoted names and comments, and qualified names', () => {
    expect(timeTravelRefs("SELECT 'orders FOR VERSION AS OF 1' AS s")).toEqual([])
    expect(timeTravelRefs('SELECT 1 -- orders FOR VERSION AS OF 1\nFROM t')).toEqual([])
    expect(timeTravelRefs('SELECT 1 /* orders AT (VERSION => 1) */ FROM t')).toEqual([])
    expect(timeTravelRefs('SELECT * FROM main.orders FOR VERSION AS OF 1')).toEqual([])
    expect(timeTravelRefs('SELECT $$orders FOR VERSION AS OF 1$$')).toEqual([])
  })

  it("rewrites each reference to the version's own relation, keeping every later line and column where the user wrote it", () => {
    const sql = 'SELECT orders.id\nFROM orders FOR VERSION AS OF 1 JOIN orders AT (VERSION => 3) AS now USING (id)\nWHERE nope'
    const { sql: rewritten, versions } = resolveTimeTravel(sql, [orders()])
    expect(rewritten).toBe(`SELECT orders.id\nFROM v1.orders${' '.repeat(18)}JOIN v3.orders${' '.repeat(16)}AS now USING (id)\nWHERE nope`)
    expect(rewritten.length).toBe(sql.length)
    expect(rewritten.indexOf('nope')).toBe(sql.indexOf('nope'))
    expect(versions.map((v) => [v.schema, v.version.version])).toEqual([['v1', 1], ['v3', 3]])
    // A multi-line clause keeps its line breaks.
    expect(resolveTimeTravel('SELECT * FROM orders\nFOR VERSION\nAS OF 2', [orders()]).sql.split('\n')).toHaveLength(3)
  })

  it('says whether an alias follows the clause, so an engine whose relation has another name can keep the table\'s', () => {
    const aliased = (sql: string) => timeTravelRefs(sql).map((r) => r.aliased)
    expect(aliased('SELECT * FROM orders FOR VERSION AS OF 1 o')).toEqual([true])
    expect(aliased('SELECT * FROM orders FOR VERSION AS OF 1 AS o')).toEqual([true])
    expect(aliased('SELECT * FROM orders FOR VERSION AS OF 1 "O"')).toEqual([true])
    expect(aliased('SELECT * FROM orders FOR VERSION AS OF 1')).toEqual([false])
    expect(aliased('SELECT * FROM orders FOR VERSION AS OF 1 WHERE id > 1')).toEqual([false])
    expect(aliased('SELECT * FROM orders AT (VERSION => 1) JOIN orders FOR VERSION AS OF 2 USING (id)')).toEqual([false, false])
    expect(aliased('SELECT * FROM (SELECT * FROM orders FOR VERSION AS OF 1) t, orders FOR VERSION AS OF 2;')).toEqual([false, false])
  })

  it("keeps every later line where it was when an engine's relation is longer than the clause", () => {
    const long = (entry: TableEntry, version: number, aliased: boolean) => `"${entry.name}__v${version}__${'0'.repeat(64)}"${aliased ? '' : ` AS ${entry.name}`}`
    const sql = 'SELECT orders.id\nFROM orders FOR VERSION\nAS OF 1\nWHERE nope'
    const { sql: rewritten } = resolveTimeTravel(sql, [orders()], long)
    expect(rewritten.split('\n')).toHaveLength(4)
    expect(rewritten.split('\n')[3]).toBe('WHERE nope')
    expect(rewritten).toContain(`FROM "orders__v1__${'0'.repeat(64)}" AS orders`)
  })

  it("reads a version with its own parts, rows and schema", () => {
    const { versions } = resolveTimeTravel('SELECT * FROM orders FOR VERSION AS OF 2', [orders()])
    const entry = versionEntry(versions[0]!)
    expect(entry.parts.map((p) => p.jobId)).toEqual(['j1', 'j2'])
    expect(entry.rowCount).toBe(3)
    expect(entry.columns).toEqual([{ name: 'id', type: 'bigint' }])
  })

  it('resolves a time to the version current then (UTC unless the text has an offset)', () => {
    const version = (sql: string) => resolveTimeTravel(sql, [orders()]).versions[0]!.version.version
    expect(version("SELECT * FROM orders FOR TIMESTAMP AS OF '2026-01-02 06:00:00'")).toBe(2)
    expect(version("SELECT * FROM orders FOR TIMESTAMP AS OF '2026-01-03T01:00:00+02:00'")).toBe(2)
    expect(version("SELECT * FROM orders FOR TIMESTAMP AS OF '2026-06-01'")).toBe(3)
  })

  it('answers a SQL error at the reference for an unknown table, a version not kept, a time before the history, or text that is no time', () => {
    const error = (sql: string) => {
      try {
        resolveTimeTravel(sql, [orders()])
      } catch (err) {
        expect(err).toBeInstanceOf(AppError)
        return { code: (err as AppError).code, message: err instanceof Error ? err.message : '', ...(err as AppError).details }
      }
      throw new Error('no error')
    }
    expect(error('SELECT 1\nFROM  nope FOR VERSION AS OF 1')).toEqual({ code: 'SQL_ERROR', message: 'There is no table nope to read an earlier version of.', line: 2, column: 7 })
    expect(error('SELECT * FROM orders FOR VERSION AS OF 7')).toMatchObject({ code: 'SQL_ERROR', message: 'orders has no version 7; its kept versions are 1 to 3.', line: 1, column: 15 })
    expect(error("SELECT * FROM orders FOR TIMESTAMP AS OF '2025-01-01'").message).toMatch(/no version as of 2025-01-01T00:00:00.000Z: its oldest kept version, 1, was made at 2026-01-01/)
    expect(error("SELECT * FROM orders FOR TIMESTAMP AS OF 'yesterday'").message).toMatch(/yesterday is not a time/)
  })
})
