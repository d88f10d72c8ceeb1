import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import { assertAllowedReferences, assertReadType, classifySql } from './duckdb-read-only.ts'

function refused(run: () => unknown): AppError {
  try {
    run()
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('not refused')
}

describe('classifySql', () => {
  it.each([
    'SELECT 1',
    'select * from people',
    'WITH t AS (SELECT 1) SELECT * FROM t',
    'WITH t AS (DELETE FROM x RETURNING *) SELECT 1',
    'FROM people',
    'VALUES (1), (2)',
    'TABLE people',
    '(SELECT 1) UNION (SELECT 2)',
    "PIVOT people ON city IN ('a') USING count(*)",
    '-- a comment\nSELECT 1',
  ])('takes %j for a query', (sql) => {
    expect(classifySql(sql).kind).toBe('query')
  })

  it.each(['DESCRIBE people', 'describe SELECT 1', 'SUMMARIZE people', 'SHOW TABLES', 'SHOW ALL TABLES'])(
    'takes %j for a description',
    (sql) => {
      expect(classifySql(sql).kind).toBe('describe')
    },
  )

  it('finds the statement an EXPLAIN explains', () => {
    expect(classifySql('EXPLAIN SELECT 1')).toEqual({
      kind: 'explain',
      keyword: 'EXPLAIN',
      body: 'EXPLAIN SELECT 1',
      inner: { kind: 'query', keyword: 'SELECT', body: 'SELECT 1' },
    })
    expect(classifySql('EXPLAIN ANALYZE FROM people;').inner?.body).toBe('FROM people')
    expect(classifySql('EXPLAIN (FORMAT json) SELECT 1').inner?.body).toBe('SELECT 1')
    expect(classifySql('EXPLAIN (SELECT 1)').inner?.body).toBe('(SELECT 1)')
  })

  it('drops trailing semicolons and comments but keeps the start, so positions still match', () => {
    expect(classifySql('SELECT 1; -- done\n').body).toBe('SELECT 1')
    expect(classifySql('\n/* a */ SELECT 1;;  ').body).toBe('\n/* a */ SELECT 1')
    expect(classifySql('SELECT 1 /* a /* nested */ ; */ ;').body).toBe('SELECT 1')
  })

  it('is not fooled by keywords and semicolons inside strings, identifiers and comments', () => {
    expect(classifySql("SELECT 'DROP TABLE x;' ;").body).toBe("SELECT 'DROP TABLE x;'")
    expect(classifySql("SELECT 'it''s;'").body).toBe("SELECT 'it''s;'")
    expect(classifySql("SELECT E'it\\'s;'").body).toBe("SELECT E'it\\'s;'")
    expect(classifySql('SELECT $$;$$, $q$ ; $q$').body).toBe('SELECT $$;$$, $q$ ; $q$')
    expect(classifySql('SELECT 1 AS "a;b"').body).toBe('SELECT 1 AS "a;b"')
    expect(classifySql('-- COPY x TO y\nSELECT 1').kind).toBe('query')
  })

  it.each([
    ["COPY people TO 'x.csv'", 'a COPY statement'],
    ['INSERT INTO t VALUES (1)', 'an INSERT statement'],
    ["ATTACH 'x.db'", 'an ATTACH statement'],
    ['PRAGMA version', 'a PRAGMA statement'],
    ['USE other', 'a USE statement'],
    ['create table t (a int)', 'a CREATE statement'],
    ['WITH x AS (SELECT 1) DELETE FROM t', 'a DELETE statement'],
    ['WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x', 'an INSERT statement'],
    ['EXPLAIN ANALYZE INSERT INTO t VALUES (1)', 'an INSERT statement'],
    ['EXPLAIN EXPLAIN SELECT 1', 'an EXPLAIN of an EXPLAIN statement'],
  ])('refuses %j as %s', (sql, what) => {
    expect(refused(() => classifySql(sql))).toMatchObject({
      code: 'FORBIDDEN',
      message: `Only SELECT, WITH, EXPLAIN and DESCRIBE run here; this is ${what}.`,
    })
  })

  it.each(['SELEC id FROM t', '\n  SELCT 1', 'FROMM people', 'NOTAKEYWORD'])('leaves %j, which starts with no known keyword, to the engine\'s parser', (sql) => {
    expect(classifySql(sql)).toMatchObject({ kind: 'query', body: sql.trimEnd() })
  })

  it('reads $tag$ strings whose tag has non-ASCII letters as DuckDB does', () => {
    expect(classifySql('SELECT $é$ -- $é$').body).toBe('SELECT $é$ -- $é$')
    expect(classifySql('SELECT $é$ ; $é$ ;').body).toBe('SELECT $é$ ; $é$')
    expect(classifySql('SELECT $日本$ /* $日本$, $x😀$ ; $x😀$').body).toBe('SELECT $日本$ /* $日本$, $x😀$ ; $x😀$')
    expect(classifySql('EXPLAIN ANALYZE SELECT $é$ ; $é$').inner?.body).toBe('SELECT $é$ ; $é$')
    expect(refused(() => classifySql("WITH x AS (SELECT $é$ ) $é$) DELETE FROM t")).code).toBe('FORBIDDEN')
  })

  it('ends a line comment at a carriage return, as DuckDB does', () => {
    expect(refused(() => classifySql('-- note\rDROP TABLE t')).message).toContain('this is a DROP statement')
    expect(classifySql('SELECT 1 -- a\rFROM t').body).toBe('SELECT 1 -- a\rFROM t')
  })

  it('refuses an EXPLAIN whose options hold quoting or comments, where the explained statement could hide', () => {
    for (const sql of [
      `EXPLAIN (ANALYZE $é$) SELECT 1 AS "$é$) COPY (SELECT 42) TO 'x.csv' --"`,
      `EXPLAIN (ANALYZE $$) SELECT $$) DELETE FROM t`,
      'EXPLAIN /* ) */ ANALYZE SELECT 1',
      'EXPLAIN -- x\n ANALYZE SELECT 1',
      'EXPLAIN (FORMAT "json") SELECT 1',
      "EXPLAIN (FORMAT E'j\\'') SELECT 1",
    ]) {
      expect([sql, refused(() => classifySql(sql)).code]).toEqual([sql, 'SQL_ERROR'])
    }
    expect(classifySql("EXPLAIN (ANALYZE, FORMAT 'json') SELECT 1").inner?.body).toBe('SELECT 1')
    expect(classifySql('EXPLAIN (FORMAT json)\n  SELECT 1').inner?.body).toBe('SELECT 1')
  })

  it.each(['', '  ;; ', '-- nothing\n', '/* nothing */'])('calls %j empty', (sql) => {
    expect(refused(() => classifySql(sql)).code).toBe('SQL_ERROR')
  })
})

describe('assertReadType', () => {
  it('lets a SELECT be a query and an EXPLAIN an explanation, nothing else', () => {
    expect(() => assertReadType('query', 'SELECT')).not.toThrow()
    expect(() => assertReadType('describe', 'SELECT')).not.toThrow()
    expect(() => assertReadType('explain', 'EXPLAIN')).not.toThrow()
    expect(refused(() => assertReadType('query', 'EXPLAIN')).code).toBe('FORBIDDEN')
    expect(refused(() => assertReadType('query', 'VARIABLE_SET')).message).toContain('this is a SET statement')
    expect(refused(() => assertReadType('query', 'COPY_DATABASE')).message).toContain('this is a COPY DATABASE statement')
  })
})

describe('assertAllowedReferences', () => {
  it('refuses functions that read settings, run strings as SQL or change the instance', () => {
    for (const name of ['current_setting', 'QUERY', 'query_table', 'enable_logging', 'arrow_scan', 'checkpoint']) {
      expect(refused(() => assertAllowedReferences({ functions: [name], tables: [] })).code).toBe('FORBIDDEN')
    }
    expect(refused(() => assertAllowedReferences({ functions: [], tables: ['pg_settings'] })).message).toBe(
      'The table pg_settings is not allowed here: it reads the engine settings.',
    )
  })

  it('refuses built-in table macros that run a table name given as text as SQL, or read the settings', () => {
    // SELECT * FROM histogram_values('pg_'||'settings', name): the parse tree names only the macro.
    for (const name of ['histogram_values', 'HISTOGRAM', 'duckdb_profiling_settings']) {
      const err = refused(() => assertAllowedReferences({ functions: [name], tables: [], tableFunctions: [name] }))
      expect(err).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining(`The function ${name.toLowerCase()}() is not allowed here`) })
    }
  })

  it('lets the histogram aggregate through: it reads only its column', () => {
    expect(() => assertAllowedReferences({ functions: ['histogram'], tables: ['people'], tableFunctions: [] })).not.toThrow()
  })

  it('lets ordinary functions and tables through, a table named query included', () => {
    expect(() => assertAllowedReferences({ functions: ['sum', 'read_parquet', 'glob'], tables: ['query', 'people'] })).not.toThrow()
  })
})
