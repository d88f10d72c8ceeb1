import { describe, expect, it } from 'vitest'
import { parseSqlError } from './duckdb-sql-errors.ts'

describe('parseSqlError', () => {
  it('finds the line and column under the caret', () => {
    const text = 'Binder Error: Referenced column "nam" not found in FROM clause!\nCandidate bindings: "name"\n\nLINE 2:   nam FROM people\n          ^'
    expect(parseSqlError(text, 'SELECT id,\n  nam FROM people')).toEqual({
      kind: 'Binder',
      message: 'Binder Error: Referenced column "nam" not found in FROM clause! Candidate bindings: "name"',
      line: 2,
      column: 3,
    })
  })

  it('drops the extraction prefix and suggestions of system tables', () => {
    const text = 'Failed to extract statements: Catalog Error: Table with name nope does not exist!\nDid you mean "pg_class"?\n\nLINE 1: SELECT * FROM nope\n                      ^'
    expect(parseSqlError(text)).toEqual({
      kind: 'Catalog',
      message: 'Catalog Error: Table with name nope does not exist!',
      line: 1,
      column: 15,
    })
    const helpful = 'Catalog Error: Table with name peple does not exist!\nDid you mean "people"?'
    expect(parseSqlError(helpful).message).toBe('Catalog Error: Table with name peple does not exist! Did you mean "people"?')
  })

  it('counts characters, not bytes, and a tab as one character', () => {
    expect(parseSqlError("Binder Error: x\n\nLINE 1: SELECT 'ééé', nam FROM people\n                      ^")).toMatchObject({ column: 15 })
    expect(parseSqlError('Binder Error: x\n\nLINE 1: SELECT id,\tnam FROM people\n                  ^')).toMatchObject({ column: 12 })
    expect(parseSqlError("Binder Error: x\n\nLINE 1: SELECT '表', nam\n                     ^")).toMatchObject({ column: 13 })
  })

  it('finds the column in a line DuckDB shortened, given the SQL', () => {
    const sql = `SELECT ${Array.from({ length: 40 }, (_, i) => `id AS c${i}`).join(', ')}, nam FROM people`
    const text = 'Binder Error: x\n\nLINE 1: ... c34, id AS c35, id AS c36, id AS c37, id AS c38, id AS c39, nam FROM people\n                                                                        ^'
    expect(parseSqlError(text, sql)).toMatchObject({ line: 1, column: sql.indexOf(', nam') + 3 })
    expect(parseSqlError(text)).toEqual({ kind: 'Binder', message: 'Binder Error: x', line: 1 })
  })

  it('moves positions out of a wrapper back into the user’s SQL', () => {
    const text = "Conversion Error: Could not convert string 'a' to INT32\n\nLINE 1: COPY (SELECT 'a'::INT\n                     ^"
    expect(parseSqlError(text, "SELECT 'a'::INT", 'COPY (')).toMatchObject({ line: 1, column: 8 })
    const inWrapper = 'Binder Error: x\n\nLINE 2: ) TO \'/x\' (FORMAT parquet)\n        ^'
    expect(parseSqlError(inWrapper, 'SELECT 1', 'COPY (')).toEqual({ kind: 'Binder', message: 'Binder Error: x' })
  })

  it('reads errors without a position, and the JSON form', () => {
    expect(parseSqlError('Parser Error: syntax error at end of input')).toEqual({
      kind: 'Parser',
      message: 'Parser Error: syntax error at end of input',
    })
    expect(parseSqlError('{"exception_type":"Conversion","exception_message":"Date out of range"}')).toEqual({
      kind: 'Conversion',
      message: 'Conversion Error: Date out of range',
    })
    expect(parseSqlError('INTERRUPT Error: Interrupted!').kind).toBe('INTERRUPT')
    const oom = 'Out of Memory Error: failed to pin block\n\nPossible solutions:\n* Reducing the number of threads (SET threads=X)\n\nSee also https://duckdb.org/docs/'
    expect(parseSqlError(oom)).toEqual({ kind: 'Out of Memory', message: 'Out of Memory Error: failed to pin block' })
  })
})
