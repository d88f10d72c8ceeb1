import { describe, expect, it } from 'vitest'
import { assertAthenaRead } from './athena-read-only.ts'

describe('assertAthenaRead', () => {
  it.each([
    'SELECT * FROM people',
    '  -- a comment\n/* another */ (SELECT 1)',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    "SELECT 'DROP TABLE people' AS s",
    'SHOW TABLES',
    'DESCRIBE people',
    'EXPLAIN SELECT 1',
    'VALUES (1, 2)',
    // A typo is Athena's to report, with its line and column.
    'SELEC 1',
  ])('lets a read through: %s', (sql) => {
    expect(() => assertAthenaRead(sql)).not.toThrow()
  })

  it.each([
    ['CREATE TABLE copy AS SELECT * FROM people', 'CREATE'],
    ['INSERT INTO people SELECT * FROM people', 'INSERT'],
    ['DROP TABLE people', 'DROP'],
    ['ALTER TABLE people ADD COLUMNS (x int)', 'ALTER'],
    ['MSCK REPAIR TABLE people', 'MSCK'],
    ["UNLOAD (SELECT 1) TO 's3://elsewhere/' WITH (format = 'PARQUET')", 'UNLOAD'],
    ['/* SELECT */ DROP TABLE people', 'DROP'],
    ['-- SELECT\nDELETE FROM people', 'DELETE'],
    ['EXPLAIN ANALYZE INSERT INTO people VALUES (1)', 'INSERT'],
    ['WITH x AS (SELECT 1) INSERT INTO people SELECT * FROM x', 'INSERT'],
  ])('refuses a write: %s', (sql, word) => {
    expect(() => assertAthenaRead(sql)).toThrow(expect.objectContaining({ code: 'FORBIDDEN', message: expect.stringContaining(word) }))
  })

  it('answers SQL_ERROR for nothing to run', () => {
    expect(() => assertAthenaRead('  -- just a comment\n')).toThrow(expect.objectContaining({ code: 'SQL_ERROR' }))
  })
})
