import { DuckDBInstance } from '@duckdb/node-api'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dialect } from '../../ingest/dialect.ts'
import { DuckDbIngest, isCsvError } from './duckdb-ingest.ts'

let dir: string
let db: DuckDBInstance
let ingest: DuckDbIngest
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csvlake-ingest-'))
  db = await DuckDBInstance.create(':memory:')
  ingest = new DuckDbIngest(db)
})
afterAll(async () => {
  db.closeSync()
  await rm(dir, { recursive: true, force: true })
})

const dialect = (columnNames: string[], extra: Partial<Dialect> = {}): Dialect => ({
  delimiter: ',',
  quote: '"',
  escape: '"',
  header: true,
  encoding: 'utf-8',
  bom: false,
  compression: 'none',
  lineEnding: '\n',
  columnNames,
  ...extra,
})

async function file(name: string, content: string) {
  const path = join(dir, name)
  await writeFile(path, content)
  return path
}

describe('DuckDbIngest.crawl', () => {
  it('infers every kind of column the catalog knows', async () => {
    const path = await file(
      'kinds.csv',
      'id,price,ratio,ok,day,at,zip,big,name\n' +
        '1,19.99,1e3,true,2024-01-02,2024-01-02 10:11:12,01234,12345678901234567890,Ada\n' +
        '2,5,2.5e-1,false,2024-02-03,2024-02-03 00:00:00,09999,1,Grace\n',
    )
    const columns = await ingest.crawl(path, dialect(['id', 'price', 'ratio', 'ok', 'day', 'at', 'zip', 'big', 'name']), { wholeFile: true })
    expect(columns).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'price', type: 'decimal(4,2)' },
      { name: 'ratio', type: 'double' },
      { name: 'ok', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'timestamp' },
      { name: 'zip', type: 'string' },
      { name: 'big', type: 'decimal(20,0)' },
      { name: 'name', type: 'string' },
    ])
  })

  it('looks at every row, not a sample: a text value far down the file makes the column text', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},${i}`)
    rows.push('60000,not a number')
    const path = await file('late.csv', `k,v\n${rows.join('\n')}\n`)
    const columns = await ingest.crawl(path, dialect(['k', 'v']), { wholeFile: true })
    expect(columns).toEqual([
      { name: 'k', type: 'bigint' },
      { name: 'v', type: 'string' },
    ])
    // A sample does not see it: that is why a sampled conversion is guarded and falls back.
    expect(await ingest.crawl(path, dialect(['k', 'v']), { wholeFile: false })).toEqual([
      { name: 'k', type: 'bigint' },
      { name: 'v', type: 'bigint' },
    ])
  })

  it('uses the names it is given, so the table has the columns the preview showed', async () => {
    const path = await file('names.csv', 'a,,a\n1,2,3\n')
    const columns = await ingest.crawl(path, dialect(['a', 'column_2', 'a_2']), { wholeFile: true })
    expect(columns.map((c) => c.name)).toEqual(['a', 'column_2', 'a_2'])
  })
})

describe('DuckDbIngest.convert', () => {
  it('writes Parquet with the given types and reports the rows loaded', async () => {
    const path = await file('conv.csv', 'id,price\n1,19.99\n2,\n')
    const target = join(dir, 'out', 'conv.parquet')
    const result = await ingest.convert(path, dialect(['id', 'price']), [
      { name: 'id', type: 'bigint' },
      { name: 'price', type: 'decimal(4,2)' },
    ], target, 'fail')
    expect(result).toEqual({ rowsLoaded: 2, rowsRejected: 0, rejected: [] })
    const conn = await db.connect()
    const read = await conn.runAndReadAll(`SELECT id, price::VARCHAR AS p, typeof(price) AS t FROM '${target}' ORDER BY id`)
    expect(read.getRowObjectsJS()).toEqual([
      { id: 1n, p: '19.99', t: 'DECIMAL(4,2)' },
      { id: 2n, p: null, t: 'DECIMAL(4,2)' },
    ])
    conn.closeSync()
  })

  it('writes the lake in Parquet v2: integers delta-encoded, which halves the work of a point lookup', async () => {
    const path = await file('v2.csv', 'id,name\n' + Array.from({ length: 1000 }, (_, i) => `${i},n${i % 7}`).join('\n') + '\n')
    const target = join(dir, 'out', 'v2.parquet')
    await ingest.convert(path, dialect(['id', 'name']), [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }], target, 'fail')
    const conn = await db.connect()
    const meta = await conn.runAndReadAll(`SELECT path_in_schema AS col, encodings FROM parquet_metadata('${target}') ORDER BY col`)
    expect(meta.getRowObjectsJS().find((r) => r.col === 'id')?.encodings).toContain('DELTA_BINARY_PACKED')
    conn.closeSync()
  })

  it('fails on the first bad row with its line, column and value, and leaves no file', async () => {
    const path = await file('bad.csv', 'id,n\n1,2\n2,x\n')
    const target = join(dir, 'out', 'bad.parquet')
    const err = await ingest
      .convert(path, dialect(['id', 'n']), [
        { name: 'id', type: 'bigint' },
        { name: 'n', type: 'bigint' },
      ], target, 'fail')
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'RowError', line: 3, column: 'n', value: 'x' })
    const conn = await db.connect()
    await expect(conn.run(`SELECT * FROM '${target}'`)).rejects.toThrow()
    conn.closeSync()
  })

  it('guarded, refuses a decimal with more decimals than its type rather than rounding it', async () => {
    const path = await file('scale.csv', 'price\n1.25\n1.239\n')
    const target = join(dir, 'out', 'scale.parquet')
    const columns = [{ name: 'price', type: 'decimal(3,2)' }]
    const err = await ingest.convert(path, dialect(['price']), columns, target, 'fail', { guarded: true }).catch((e: unknown) => e)
    expect(String(err)).toMatch(/1\.239.*without rounding/)
    const ok = await ingest.convert(path, dialect(['price']), [{ name: 'price', type: 'decimal(4,3)' }], target, 'fail', { guarded: true })
    expect(ok.rowsLoaded).toBe(2)
  })

  it('guarded, refuses a fraction in an integer column rather than rounding it (DuckDB casts "2.5" to BIGINT 3)', async () => {
    const path = await file('whole.csv', 'n\n1\n 2 \n\n2.5\n')
    const target = join(dir, 'out', 'whole.parquet')
    for (const type of ['bigint', 'int', 'smallint', 'tinyint']) {
      const err = await ingest.convert(path, dialect(['n']), [{ name: 'n', type }], target, 'fail', { guarded: true }).catch((e: unknown) => e)
      expect(String(err), type).toMatch(/2\.5.*without rounding/)
      expect(isCsvError(err), type).toBe(true)
    }
    const ok = await ingest.convert(path, dialect(['n']), [{ name: 'n', type: 'double' }], target, 'fail', { guarded: true })
    expect(ok.rowsLoaded).toBe(4)
    const fine = await file('ints.csv', 'n\n1\n -2 \n\n+3\n')
    expect((await ingest.convert(fine, dialect(['n']), [{ name: 'n', type: 'bigint' }], target, 'fail', { guarded: true })).rowsLoaded).toBe(4)
    const conn = await db.connect()
    expect((await conn.runAndReadAll(`SELECT n FROM '${target}'`)).getRowObjectsJson().map((r) => r.n)).toEqual(['1', '-2', null, '3'])
    conn.closeSync()
  })

  it('with skip, counts and lists the rejected rows', async () => {
    const path = await file('skip.csv', 'id,n\n1,2\n2,x\n3,4\n')
    const result = await ingest.convert(path, dialect(['id', 'n']), [
      { name: 'id', type: 'bigint' },
      { name: 'n', type: 'bigint' },
    ], join(dir, 'out', 'skip.parquet'), 'skip')
    expect(result.rowsLoaded).toBe(2)
    expect(result.rowsRejected).toBe(1)
    expect(result.rejected).toEqual([{ line: 3, column: 'n', value: '2,x', message: expect.stringMatching(/x/) }])
  })
})

describe('sharing the serving process', () => {
  it('runs at most two DuckDB calls at once, however many jobs ingest together', async () => {
    let open = 0
    let most = 0
    const counting = {
      connect: async () => {
        const conn = await db.connect()
        most = Math.max(most, ++open)
        const close = conn.closeSync.bind(conn)
        conn.closeSync = () => {
          open--
          close()
        }
        return conn
      },
    } as unknown as DuckDBInstance
    const shared = new DuckDbIngest(counting)
    const path = await file('together.csv', 'id,name\n' + Array.from({ length: 2000 }, (_, i) => `${i},n${i}`).join('\n') + '\n')
    const crawled = await Promise.all(Array.from({ length: 6 }, () => shared.crawl(path, dialect(['id', 'name']), { wholeFile: true })))
    expect(crawled.map((columns) => columns.map((c) => c.name))).toEqual(Array.from({ length: 6 }, () => ['id', 'name']))
    expect(most).toBe(2)
  })
})
