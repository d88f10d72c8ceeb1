import { DuckDBInstance } from '@duckdb/node-api'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PartProfile } from '../../ingest/column-profile.ts'
import type { Dialect } from '../../ingest/dialect.ts'
import type { Catalog } from '../../ports/catalog.ts'
import { tenantId } from '../../tenant.ts'
import { convertStaged } from './duckdb-convert-staged.ts'
import { DuckDbIngest } from './duckdb-ingest.ts'
import { profilePart, profilePathOf, writePartProfile } from './duckdb-profile.ts'

/** Real DuckDB over real Parquet files, written here by DuckDB's own COPY with exact types. */

let dir: string
let db: DuckDBInstance
let ingest: DuckDbIngest
let n = 0
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csvlake-profile-'))
  db = await DuckDBInstance.create(':memory:')
  ingest = new DuckDbIngest(db)
})
afterAll(async () => {
  db.closeSync()
  await rm(dir, { recursive: true, force: true })
})

/** A Parquet part of `select` (a SELECT over VALUES or range), in a folder of its own. */
async function part(select: string): Promise<string> {
  const path = join(dir, `p${++n}`, 'data.parquet')
  const conn = await db.connect()
  try {
    await mkdir(join(dir, `p${n}`))
    await conn.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`)
  } finally {
    conn.closeSync()
  }
  return path
}

/** A create reads no catalog: any call of this one fails the test. */
const catalog = new Proxy({}, { get: () => () => Promise.reject(new Error('a create does not read the catalog')) }) as Catalog

const VALUES = `SELECT * FROM (VALUES
  (1::BIGINT, 1.5::DOUBLE, 19.99::DECIMAL(10,2), DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00', true, 'red', NULL::VARCHAR),
  (2, -2.25, 5.00, DATE '2024-01-31', TIMESTAMP '2024-01-02 10:00:00.250', false, 'red', NULL),
  (3, NULL, NULL, NULL, NULL, NULL, 'blue', NULL),
  (3, 'inf'::DOUBLE, 100.01, DATE '2024-01-11', TIMESTAMP '2024-01-01 22:00:00', true, NULL, NULL)
) t(id, ratio, price, day, "at", ok, colour, empty)`
const COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'ratio', type: 'double' },
  { name: 'price', type: 'decimal(10,2)' },
  { name: 'day', type: 'date' },
  { name: 'at', type: 'timestamp' },
  { name: 'ok', type: 'boolean' },
  { name: 'colour', type: 'string' },
  { name: 'empty', type: 'string' },
]

describe('a Parquet part profiled by DuckDB', () => {
  it('counts nulls and distinct values of every type, every row read', async () => {
    const profile = await profilePart(ingest, await part(VALUES), COLUMNS)
    expect(profile.map((c) => [c.name, c.rows, c.nulls, c.distinct])).toEqual([
      ['id', 4, 0, 3],
      ['ratio', 4, 1, 3],
      ['price', 4, 1, 3],
      ['day', 4, 1, 3],
      ['at', 4, 1, 3],
      ['ok', 4, 1, 2],
      ['colour', 4, 1, 2],
      ['empty', 4, 4, 0],
    ])
  })

  it('gives min and max as JSON values: numbers, ISO dates and timestamps, booleans, text; infinities left out', async () => {
    const profile = await profilePart(ingest, await part(VALUES), COLUMNS)
    expect(Object.fromEntries(profile.map((c) => [c.name, [c.min, c.max]]))).toEqual({
      id: [1, 3],
      ratio: [-2.25, 1.5],
      price: [5, 100.01],
      day: ['2024-01-01', '2024-01-31'],
      at: ['2024-01-01T10:00:00.000', '2024-01-02T10:00:00.250'],
      ok: [false, true],
      colour: ['blue', 'red'],
      empty: [null, null],
    })
  })

  it('bins numbers and dates over their range, and counts the most frequent text and boolean values', async () => {
    const profile = Object.fromEntries((await profilePart(ingest, await part(VALUES), COLUMNS)).map((c) => [c.name, c]))
    // A narrow integer range: one bin a value.
    expect(profile.id!.histogram).toEqual([
      { lower: 1, upper: 2, count: 1 },
      { lower: 2, upper: 3, count: 1 },
      { lower: 3, upper: 4, count: 2 },
    ])
    expect(profile.ratio!.histogram).toHaveLength(20)
    expect(profile.ratio!.histogram!.map((b) => b.count)).toEqual([1, ...new Array(18).fill(0), 1])
    expect(profile.day!.histogram!.reduce((a, b) => a + b.count, 0)).toBe(3)
    expect(profile.day!.histogram![0]!.lower).toBe(Date.UTC(2024, 0, 1))
    expect(profile.day!.histogram!.at(-1)!.upper).toBe(Date.UTC(2024, 0, 31))
    expect(profile.price!.histogram!.reduce((a, b) => a + b.count, 0)).toBe(3)
    expect(profile.colour!.top).toEqual([{ value: 'red', count: 2 }, { value: 'blue', count: 1 }])
    expect(profile.ok!.top).toEqual([{ value: 'true', count: 2 }, { value: 'false', count: 1 }])
    expect(profile.colour!.histogram).toBeUndefined()
    expect(profile.empty).toEqual({ name: 'empty', type: 'string', rows: 4, nulls: 4, distinct: 0, distinctApprox: false, min: null, max: null, top: [] })
  })

  it("profiles columns named as the profile's own SQL names its results (b, c, v, g, n, d, groups)", async () => {
    const names = ['b', 'c', 'v', 'g', 'n', 'd', 'groups']
    const path = await part(`SELECT ${names.map((n, k) => `${k === 1 ? `'x' || (i % 3)::VARCHAR` : `i + ${k}`} AS ${n}`).join(', ')} FROM range(5) t(i)`)
    const profile = await profilePart(ingest, path, names.map((name, k) => ({ name, type: k === 1 ? 'string' : 'bigint' })))
    expect(profile.map((p) => [p.name, p.distinct, p.min])).toEqual([['b', 5, 0], ['c', 3, 'x0'], ['v', 5, 2], ['g', 5, 3], ['n', 5, 4], ['d', 5, 5], ['groups', 5, 6]])
    expect(profile[0]!.histogram!.map((h) => h.count)).toEqual([1, 1, 1, 1, 1])
  })

  it('profiles an empty part as no rows, no values', async () => {
    const profile = await profilePart(ingest, await part(`${VALUES} LIMIT 0`), COLUMNS)
    expect(profile.find((c) => c.name === 'id')).toEqual({ name: 'id', type: 'bigint', rows: 0, nulls: 0, distinct: 0, distinctApprox: false, min: null, max: null })
    expect(profile.find((c) => c.name === 'colour')).toMatchObject({ rows: 0, top: [] })
  })

  it('counts the ten most frequent of many text values exactly', async () => {
    const profile = await profilePart(ingest, await part(`SELECT (i % 50)::VARCHAR AS v FROM range(10000) t(i) UNION ALL SELECT 'hot' FROM range(500)`), [{ name: 'v', type: 'string' }])
    expect(profile[0]!.top![0]).toEqual({ value: 'hot', count: 500 })
    expect(profile[0]!.top).toHaveLength(10)
    expect(profile[0]!.top!.slice(1).every((t) => t.count === 200)).toBe(true)
    // Few enough to count exactly.
    expect(profile[0]).toMatchObject({ distinct: 51, distinctApprox: false })
  })

  it('in a big part, bins every row of a many-valued column, estimates its distinct values from a sample, and counts its frequent text exactly', async () => {
    const rows = 600_000
    const path = await part(
      `SELECT i AS id, CASE WHEN i % 10 = 0 THEN 'hot' WHEN i % 10 = 1 THEN NULL ELSE 'v' || (hash(i) % 150000)::VARCHAR END AS label, (i % 7)::VARCHAR AS small FROM range(${rows}) t(i)`,
    )
    const [id, label, small] = await profilePart(ingest, path, [
      { name: 'id', type: 'bigint' },
      { name: 'label', type: 'string' },
      { name: 'small', type: 'string' },
    ])
    expect(id).toMatchObject({ rows, nulls: 0, min: 0, max: rows - 1, distinctApprox: true })
    expect(id!.distinct).toBeGreaterThan(rows * 0.9)
    expect(id!.distinct).toBeLessThanOrEqual(rows)
    expect(id!.histogram!.reduce((a, b) => a + b.count, 0)).toBe(rows)
    expect(id!.histogram!.every((b) => b.count > 0)).toBe(true)
    // 480,000 rows drawn from 150,000 labels: about 145,000 distinct, and 'hot'.
    expect(label).toMatchObject({ nulls: rows / 10, distinctApprox: true, top: [{ value: 'hot', count: rows / 10 }] })
    const labels = Number((await (await db.connect()).runAndReadAll(`SELECT count(DISTINCT label) FROM read_parquet('${path}')`)).getRowsJS()[0]![0])
    expect(Math.abs(label!.distinct - labels) / labels).toBeLessThan(0.1)
    // Few values a row group: exact, whatever the size.
    expect(small).toMatchObject({ distinct: 7, distinctApprox: false })
    expect(small!.top).toHaveLength(7)
  })

  it('writes _profile.json beside the part, with its rows and what it took', async () => {
    const path = await part(VALUES)
    await writePartProfile(ingest, path, COLUMNS)
    const written = JSON.parse(await readFile(profilePathOf(path), 'utf8')) as PartProfile
    expect(profilePathOf(path)).toBe(join(path, '..', '_profile.json'))
    expect(written.rows).toBe(4)
    expect(written.columns.map((c) => c.name)).toEqual(COLUMNS.map((c) => c.name))
    expect(written.ms).toBeGreaterThanOrEqual(0)
  })
})

describe('the CSV conversion (both modes)', () => {
  const dialect: Dialect = { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id', 'name'] }
  const unused = () => Promise.reject(new Error('a create does not read the catalog'))
  const catalog: Catalog = { get: unused, list: unused, put: unused, update: unused, delete: unused, forgetVersions: unused }

  it('writes the profile of the part it converted beside it', async () => {
    const source = join(dir, 'staged.csv')
    await writeFile(source, 'id,name\n1,ann\n2,\n3,ann\n')
    const target = join(dir, 'converted', 'data.parquet')
    const input = { jobId: 'j1', tenant: tenantId('acme'), fileId: 'f1', fileName: 'x.csv', table: 't', mode: 'create' as const, onError: 'fail' as const, dialect }
    await convertStaged({ catalog, ingest }, input, { source, target, crawled: [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }], sampled: false })
    const written = JSON.parse(await readFile(profilePathOf(target), 'utf8')) as PartProfile
    expect(written.columns).toEqual([
      expect.objectContaining({ name: 'id', nulls: 0, distinct: 3, min: 1, max: 3 }),
      expect.objectContaining({ name: 'name', nulls: 1, distinct: 1, top: [{ value: 'ann', count: 2 }] }),
    ])
  })
})

describe('a profile that cannot be made', () => {
  it('does not fail the conversion: the part is written without a profile', async () => {
    const dialect: Dialect = { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id'] }
    const source = join(dir, 'staged-2.csv')
    await writeFile(source, 'id\n1\n')
    const target = join(dir, 'converted-2', 'data.parquet')
    // The profile's folder is taken by a folder of its own name: its file cannot be written.
    await mkdir(profilePathOf(target), { recursive: true })
    const input = { jobId: 'j2', tenant: tenantId('acme'), fileId: 'f2', fileName: 'x.csv', table: 't', mode: 'create' as const, onError: 'fail' as const, dialect }
    const converted = await convertStaged({ catalog, ingest }, input, { source, target, crawled: [{ name: 'id', type: 'bigint' }], sampled: false })
    expect(converted.rows).toBe(1)
    expect((await readFile(target)).subarray(0, 4).toString('latin1')).toBe('PAR1')
  })
})
