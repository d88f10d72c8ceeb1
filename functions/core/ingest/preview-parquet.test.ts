import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiskObjectStore } from '../adapters/local/disk-object-store.ts'
import { parquetBytes, SAMPLE_PARQUET_SQL } from '../adapters/local/parquet-fixture.ts'
import type { FileMeta } from '../files/file-meta.ts'
import { parquetDialect } from '../files/parquet-dialect.ts'
import { keys } from '../keys.ts'
import { tenantId } from '../tenant.ts'
import { previewParquet } from './preview-parquet.ts'

const T = tenantId('t')
let dir: string
let store: DiskObjectStore

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csvlake-preview-parquet-'))
  store = new DiskObjectStore(dir)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function stored(fileId: string, bytes: Buffer): Promise<FileMeta> {
  await store.putBytes(keys.rawData(T, fileId), bytes)
  return { fileId, name: `${fileId}.parquet`, size: bytes.byteLength, sha256: '', contentType: 'application/octet-stream', compression: 'none', format: 'parquet', uploadedAt: '', dialect: parquetDialect([]) }
}

describe('previewParquet', () => {
  it('answers the schema with the types the table gets, and the first rows as text, nulls as null', async () => {
    const meta = await stored('f_sample', await parquetBytes(SAMPLE_PARQUET_SQL))
    const preview = await previewParquet(store, T, meta, 100)
    expect(preview.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'int'],
      ['score', 'double'],
      ['day', 'date'],
      ['seen_at', 'timestamp'],
      ['name', 'string'],
      ['total', 'bigint'],
    ])
    expect(preview.rows[0]).toEqual({ id: '1', score: '1.5', day: '2024-05-01', seen_at: '2024-05-01 08:30:00', name: 'Ada', total: '10' })
    expect(preview.rows[2]).toEqual({ id: '3', score: '-2.25', day: null, seen_at: null, name: 'Grace', total: null })
    expect(preview).toMatchObject({ format: 'parquet', rowCount: 3, moreRows: false, problems: [] })
  })

  it('previews files compressed as public data sets are: Snappy, ZSTD, gzip, Brotli, LZ4 or none', async () => {
    for (const compression of ['snappy', 'zstd', 'gzip', 'brotli', 'lz4', 'uncompressed'] as const) {
      const meta = await stored(`f_${compression}`, await parquetBytes(`SELECT i AS id, 'name ' || i AS name FROM range(1000) t(i)`, { compression }))
      const preview = await previewParquet(store, T, meta, 5)
      expect(preview.rows, compression).toEqual([0, 1, 2, 3, 4].map((i) => ({ id: String(i), name: `name ${i}` })))
    }
  })

  it('reads only the footer and the first row group of a big file, a bounded number of bytes', async () => {
    const bytes = await parquetBytes(
      `SELECT i AS id, 'row number ' || i || ' ' || md5(i::VARCHAR) AS label, i / 7.0 AS ratio FROM range(600000) t(i)`,
      { rowGroupRows: 10_000 },
    )
    const meta = await stored('f_big', bytes)
    let read = 0
    let reads = 0
    const preview = await previewParquet(store, T, meta, 100, (n) => {
      read += n
      reads++
    })
    expect(preview.rows).toHaveLength(100)
    expect(preview.rows[99]).toMatchObject({ id: '99' })
    expect(preview).toMatchObject({ rowCount: 600_000, moreRows: true })
    // 60 row groups: the footer and one row group's columns are read, nothing more.
    expect(bytes.byteLength).toBeGreaterThan(10 * 1024 * 1024)
    expect(read).toBeLessThan(bytes.byteLength / 20)
    expect(reads).toBeLessThanOrEqual(6)
  })

  it('shows the schema but no rows, saying why, when the first row group is past what a preview may read (one tenant cannot fill the function\'s memory)', async () => {
    // One row group of ~6 MiB of random text, and a 1 MiB budget for rows.
    const bytes = await parquetBytes(`SELECT i AS id, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS label FROM range(100000) t(i)`, { rowGroupRows: 1_000_000, compression: 'uncompressed' })
    const meta = await stored('f_one_group', bytes)
    let read = 0
    const preview = await previewParquet(store, T, meta, 100, (n) => (read += n), { maxRowBytes: 1024 * 1024 })
    expect(preview.columns.map((c) => c.name)).toEqual(['id', 'label'])
    expect(preview.rows).toEqual([])
    expect(preview.rowCount).toBe(100_000)
    expect(preview.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^No rows are shown: the first row group of this file holds .* MiB of column data, more than the 1 MiB a preview reads\. The file can still be loaded\.$/)])
    expect(read).toBeLessThan(1024 * 1024)
  })

  it('lists a column the load will refuse with its Parquet type and why, and leaves it out of the rows', async () => {
    const meta = await stored('f_time', await parquetBytes(`SELECT 1 AS id, TIME '08:30:00' AS at_time, [1, 2] AS tags`))
    const preview = await previewParquet(store, T, meta, 10)
    expect(preview.columns).toEqual([
      { name: 'id', type: 'int', parquetType: expect.stringMatching(/^INT32/) },
      { name: 'at_time', type: 'unsupported', parquetType: expect.stringMatching(/TIME/), refused: expect.stringMatching(/time-of-day/) },
      { name: 'tags', type: 'unsupported', parquetType: expect.stringMatching(/LIST/), refused: expect.stringMatching(/nested/) },
    ])
    expect(preview.rows).toEqual([{ id: '1' }])
    expect(preview.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^Column "at_time" is .*TIME/), expect.stringMatching(/^Column "tags"/)])
  })
})
