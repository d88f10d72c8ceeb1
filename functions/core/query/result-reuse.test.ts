import { describe, expect, it } from 'vitest'
import type { TableEntry } from '../ports/catalog.ts'
import { tenantId } from '../tenant.ts'
import { isDeterministic, ResultReuse, tablesVersion } from './result-reuse.ts'

const ACME = tenantId('acme')
const BRAVO = tenantId('bravo')
const result = (queryId: string, rows = 1) => ({ queryId, columns: [{ name: 'n', type: 'bigint' }], rows: Array.from({ length: rows }, (_, i) => [i]) })

describe('which SQL may be answered from an earlier result', () => {
  it('a plain read may', () => {
    expect(isDeterministic('SELECT region, count(*) FROM events WHERE id = 7 GROUP BY region')).toBe(true)
  })

  it('anything with the clock, randomness, a sample or a sequence may not', () => {
    for (const sql of [
      'SELECT now()',
      'SELECT * FROM t WHERE day = current_date',
      'SELECT CURRENT_TIMESTAMP',
      'SELECT * FROM t ORDER BY random() LIMIT 5',
      'SELECT uuid()',
      'SELECT gen_random_uuid()',
      'SELECT * FROM t USING SAMPLE 10%',
      'SELECT * FROM t TABLESAMPLE reservoir(5 ROWS)',
      "SELECT nextval('s')",
      'SELECT today()',
    ]) {
      expect([sql, isDeterministic(sql)]).toEqual([sql, false])
    }
  })
})

describe('tablesVersion', () => {
  const table = (name: string, updatedAt: string, keys: string[]) =>
    ({ name, updatedAt, parts: keys.map((key) => ({ key, rows: 1, jobId: 'j', fileId: 'f' })) }) as unknown as TableEntry

  it('changes when a table is appended to, replaced, added or dropped; not with the order of the list', () => {
    const base = [table('a', 't1', ['a/j1']), table('b', 't1', ['b/j1'])]
    const v = tablesVersion(base)
    expect(tablesVersion([...base].reverse())).toBe(v)
    expect(tablesVersion([table('a', 't2', ['a/j1', 'a/j2']), base[1]!])).not.toBe(v)
    expect(tablesVersion([table('a', 't2', ['a/j3']), base[1]!])).not.toBe(v)
    expect(tablesVersion([...base, table('c', 't1', ['c/j1'])])).not.toBe(v)
    expect(tablesVersion([base[0]!])).not.toBe(v)
  })
})

describe('ResultReuse', () => {
  it('answers the same SQL of the same tenant over the same tables, and nothing else', () => {
    const reuse = new ResultReuse()
    reuse.remember(ACME, 'SELECT 1', 'v1', result('q1'))
    expect(reuse.find(ACME, 'SELECT 1', 'v1')?.queryId).toBe('q1')
    expect(reuse.find(BRAVO, 'SELECT 1', 'v1')).toBeUndefined()
    expect(reuse.find(ACME, 'SELECT  1', 'v1')).toBeUndefined()
    expect(reuse.find(ACME, 'SELECT 1', 'v2')).toBeUndefined()
    // Once the tables changed the old result is gone, even if asked with the old version again.
    expect(reuse.find(ACME, 'SELECT 1', 'v1')).toBeUndefined()
  })

  it('keeps no result of SQL that is not deterministic', () => {
    const reuse = new ResultReuse()
    reuse.remember(ACME, 'SELECT random()', 'v1', result('q1'))
    expect(reuse.find(ACME, 'SELECT random()', 'v1')).toBeUndefined()
  })

  it('stays within its budget of bytes, dropping the least recently used first', () => {
    // Each entry costs its rows as JSON, its SQL and its columns: 52 bytes for 'a' and 'b' with 5 rows.
    const reuse = new ResultReuse(1100)
    reuse.remember(ACME, 'a', 'v', result('qa', 5))
    reuse.remember(ACME, 'b', 'v', result('qb', 5))
    expect(reuse.find(ACME, 'a', 'v')?.queryId).toBe('qa')
    for (let i = 0; i < 19; i++) reuse.remember(ACME, `c${i}`, 'v', result(`qc${i}`, 5))
    expect(reuse.find(ACME, 'b', 'v')).toBeUndefined()
    expect(reuse.find(ACME, 'a', 'v')?.queryId).toBe('qa')
    expect(reuse.find(ACME, 'c18', 'v')?.queryId).toBe('qc18')
    // A result bigger than a tenth of the budget is not kept at all.
    reuse.remember(ACME, 'big', 'v', result('qbig', 30))
    expect(reuse.find(ACME, 'big', 'v')).toBeUndefined()
  })

  it('counts what the values weigh, not how many cells there are: one huge cell is not kept', () => {
    const reuse = new ResultReuse(10 * 2 ** 20)
    const huge = { queryId: 'qh', columns: [{ name: 's', type: 'string' }], rows: [['x'.repeat(2 * 2 ** 20)]] }
    reuse.remember(ACME, 'SELECT huge', 'v', huge)
    expect(reuse.find(ACME, 'SELECT huge', 'v')).toBeUndefined()
    const fair = { ...huge, queryId: 'qf', rows: [['x'.repeat(2 ** 19)]] }
    reuse.remember(ACME, 'SELECT fair', 'v', fair)
    expect(reuse.find(ACME, 'SELECT fair', 'v')?.queryId).toBe('qf')
  })

  it('forgets a tenant whose tables changed, and only that tenant', () => {
    const reuse = new ResultReuse()
    reuse.remember(ACME, 'SELECT 1', 'v', result('q1'))
    reuse.remember(BRAVO, 'SELECT 1', 'v', result('q2'))
    reuse.forget(ACME)
    expect(reuse.find(ACME, 'SELECT 1', 'v')).toBeUndefined()
    expect(reuse.find(BRAVO, 'SELECT 1', 'v')?.queryId).toBe('q2')
  })
})
