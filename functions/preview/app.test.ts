import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parquetBytes, SAMPLE_PARQUET_SQL } from '../core/adapters/local/parquet-fixture.ts'
import { startTestServer, upload, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ CSVLAKE_PREVIEW_BYTES: '65536' })
})
afterAll(() => server.close())

const preview = (query: string) => fetch(`${server.url}/api/preview?${query}`)

describe('GET /api/preview', () => {
  it('answers rows as objects with inferred column types, nulls for empty cells', async () => {
    const { fileId } = await (await upload(server.url, 't.csv', 'id|when|ok|v\n1|2024-05-01|true|\n2|2024-05-02|false|x\n')).json()
    const body = await (await preview(`fileId=${fileId}`)).json()
    expect(body.dialect.delimiter).toBe('|')
    expect(body.columns).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'when', type: 'date' },
      { name: 'ok', type: 'boolean' },
      { name: 'v', type: 'string' },
    ])
    expect(body.rows).toEqual([
      { id: '1', when: '2024-05-01', ok: 'true', v: null },
      { id: '2', when: '2024-05-02', ok: 'false', v: 'x' },
    ])
  })

  it('reads only the head of a big file and says it is truncated', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},row number ${i}`).join('\n')
    const { fileId, size } = await (await upload(server.url, 'big.csv', `k,v\n${rows}\n`)).json()
    expect(size).toBeGreaterThan(65536 * 4)
    const body = await (await preview(`fileId=${fileId}&limit=1000`)).json()
    expect(body.truncated).toBe(true)
    expect(body.rows).toHaveLength(1000)
    expect(body.problems).toEqual([])
  })

  it.each([
    [1461, 100, true],
    [50, 100, false],
    [100, 100, false],
    [101, 100, true],
  ])('says whether more rows follow: %i rows, limit %i -> moreRows %s', async (count, limit, moreRows) => {
    const csv = 'id,name\n' + Array.from({ length: count }, (_, i) => `${i},name ${i}`).join('\n') + '\n'
    const { fileId } = await (await upload(server.url, 'n.csv', csv)).json()
    const body = await (await preview(`fileId=${fileId}&limit=${limit}`)).json()
    expect(body.rows).toHaveLength(Math.min(count, limit))
    expect(body.moreRows).toBe(moreRows)
  })

  it('says more rows follow when only the head of a big file was read', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},row number ${i}`).join('\n')
    const { fileId } = await (await upload(server.url, 'big2.csv', `k,v\n${rows}\n`)).json()
    const body = await (await preview(`fileId=${fileId}&limit=1000`)).json()
    expect(body.moreRows).toBe(true)
  })

  it('documents moreRows in the OpenAPI schema of the preview', async () => {
    const doc = await (await fetch(`${server.url}/api/openapi.json`)).json()
    const schema = doc.components.schemas.Preview
    expect(schema.required).toContain('moreRows')
    expect(schema.properties.moreRows).toMatchObject({ type: 'boolean', description: expect.stringMatching(/rows/) })
  })

  it('applies a header override: the first row becomes data', async () => {
    const { fileId } = await (await upload(server.url, 'h.csv', 'alpha,beta\ngamma,delta\n')).json()
    const body = await (await preview(`fileId=${fileId}&header=false`)).json()
    expect(body.dialect.header).toBe(false)
    expect(body.rows).toEqual([
      { column_1: 'alpha', column_2: 'beta' },
      { column_1: 'gamma', column_2: 'delta' },
    ])
  })

  it('fills blank and duplicate header names', async () => {
    const { fileId } = await (await upload(server.url, 'd.csv', 'a,,a\n1,2,3\n')).json()
    const body = await (await preview(`fileId=${fileId}`)).json()
    expect(body.columns.map((c: { name: string }) => c.name)).toEqual(['a', 'column_2', 'a_2'])
  })

  it('previews a Parquet file: its schema with the types the table gets, and its first rows', async () => {
    const { fileId } = await (await upload(server.url, 'people.parquet', await parquetBytes(SAMPLE_PARQUET_SQL), 'application/octet-stream')).json()
    const res = await preview(`fileId=${fileId}&limit=2`)
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ format: 'parquet', rowCount: 3, moreRows: true, problems: [] })
    expect(body.columns.map((c: { name: string; type: string }) => `${c.name}:${c.type}`)).toEqual(['id:int', 'score:double', 'day:date', 'seen_at:timestamp', 'name:string', 'total:bigint'])
    expect(body.rows).toEqual([
      { id: '1', score: '1.5', day: '2024-05-01', seen_at: '2024-05-01 08:30:00', name: 'Ada', total: '10' },
      { id: '2', score: null, day: '2024-05-02', seen_at: '2024-05-02 09:00:00', name: null, total: '20' },
    ])
  })

  it('answers 400 to CSV dialect overrides on a Parquet file', async () => {
    const { fileId } = await (await upload(server.url, 'p.parquet', await parquetBytes('SELECT 1 AS a'), 'application/octet-stream')).json()
    const res = await preview(`fileId=${fileId}&delimiter=%3B`)
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/Parquet/)
  })

  it.each([
    ['limit=0', 400],
    ['limit=1001', 400],
    ['limit=abc', 400],
  ])('answers %s with %i', async (q, status) => {
    const { fileId } = await (await upload(server.url, 'l.csv', 'a\n1\n')).json()
    const res = await preview(`fileId=${fileId}&${q}`)
    expect(res.status).toBe(status)
    expect((await res.json()).error.code).toBe('BAD_REQUEST')
  })

  it('answers 400 without a fileId or with an unknown encoding, and 404 for an unknown file', async () => {
    expect((await preview('')).status).toBe(400)
    expect((await preview(`fileId=f_${'a'.repeat(32)}`)).status).toBe(404)
    const { fileId } = await (await upload(server.url, 'e.csv', 'a\n1\n')).json()
    const res = await preview(`fileId=${fileId}&encoding=klingon`)
    expect(res.status).toBe(400)
  })
})
