import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../testing/test-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function submitAndWait(s: TestServer, body: Record<string, unknown>) {
  const res = await postJson(s.url, '/api/submit', body)
  expect(res.status).toBe(202)
  return waitForJob(s.url, (await res.json()).jobId, 60_000)
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
  } catch {
    return []
  }
}

/** A .csv.gz of `members` gzip members joined end to end, each 1 MiB of rows: tiny on disk, huge inflated. */
function manyMemberGzip(members: number): Buffer {
  const rows = Buffer.from('1,2\n'.repeat(256 * 1024))
  const first = gzipSync(Buffer.concat([Buffer.from('a,b\n'), rows]), { level: 9 })
  const next = gzipSync(rows, { level: 9 })
  return Buffer.concat([first, ...Array.from({ length: members - 1 }, () => next)])
}

describe('ingest under abuse', () => {
  it('fails a .csv.gz that inflates past the storage quota, leaving no staged bytes and no table', async () => {
    server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: String(2 * 1024 * 1024) })
    const bomb = manyMemberGzip(200)
    expect(bomb.byteLength).toBeLessThan(1024 * 1024)
    const up = await upload(server.url, 'bomb.csv.gz', bomb, 'application/gzip')
    expect(up.status).toBe(201)
    const { fileId } = await up.json()

    const job = await submitAndWait(server, { fileId })
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE', message: expect.stringMatching(/inflates to more than 2 MiB/) })
    expect(await filesUnder(join(server.dataDir, 'staging'))).toEqual([])
    expect(await filesUnder(join(server.dataDir, 'lake'))).toEqual([])
    expect((await (await fetch(`${server.url}/api/tables`)).json()).tables).toEqual([])
  })

  it('fails a .csv.gz that inflates past CSVLAKE_MAX_UPLOAD_BYTES when there is no quota', async () => {
    server = await startTestServer({ CSVLAKE_MAX_UPLOAD_BYTES: String(3 * 1024 * 1024) })
    const up = await upload(server.url, 'bomb.csv.gz', manyMemberGzip(20), 'application/gzip')
    const job = await submitAndWait(server, { fileId: (await up.json()).fileId })
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE', message: expect.stringMatching(/CSVLAKE_MAX_UPLOAD_BYTES/) })
    expect(await filesUnder(join(server.dataDir, 'staging'))).toEqual([])
  })

  it('counts what lands on disk after transcoding: a windows-1252 .csv.gz that triples as UTF-8 is bounded too', async () => {
    server = await startTestServer({ CSVLAKE_MAX_UPLOAD_BYTES: String(3 * 1024 * 1024) })
    // 2 MiB inflated, within the bound; each euro sign (one byte, 0x80) is three as UTF-8: 6 MiB staged.
    const text = Buffer.concat([Buffer.from('price\n'), Buffer.alloc(2 * 1024 * 1024 - 6, Buffer.from([0x80, 0x0a]))])
    const up = await upload(server.url, 'euros.csv.gz', gzipSync(text), 'application/gzip')
    expect(up.status).toBe(201)
    const job = await submitAndWait(server, { fileId: (await up.json()).fileId, dialect: { encoding: 'windows-1252' } })
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ code: 'DECOMPRESSED_TOO_LARGE' })
    expect(await filesUnder(join(server.dataDir, 'staging'))).toEqual([])
  })

  it('still loads a .csv.gz that inflates within the bound', async () => {
    server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: String(4 * 1024 * 1024) })
    const up = await upload(server.url, 'ok.csv.gz', manyMemberGzip(3), 'application/gzip')
    const job = await submitAndWait(server, { fileId: (await up.json()).fileId })
    expect(job.status).toBe('SUCCEEDED')
    expect(job.rows).toMatchObject({ loaded: 3 * 256 * 1024 })
  })

  it('loads every row of a file with mixed line endings, as the preview reads it', async () => {
    server = await startTestServer()
    const up = await upload(server.url, 'mixed.csv', 'a,b\r\n1,2\n3,4\r\n5,6\n')
    const { fileId } = await up.json()
    const preview = await (await fetch(`${server.url}/api/preview?fileId=${fileId}`)).json()
    expect(preview.rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
      { a: '5', b: '6' },
    ])
    expect(preview.problems).toEqual([])

    const job = await submitAndWait(server, { fileId, table: 'mixed' })
    expect(job.status).toBe('SUCCEEDED')
    const res = await postJson(server.url, '/api/query', { sql: 'SELECT a, b FROM mixed ORDER BY a', waitMs: 10_000 })
    expect((await res.json()).rows).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ])
  })

  it('loads a big file whose line endings change only past the sample the types are read from (files joined end to end)', async () => {
    server = await startTestServer()
    const windows = Array.from({ length: 900_000 }, (_, i) => `${i},w${i}`).join('\r\n')
    const unix = Array.from({ length: 100_000 }, (_, i) => `${900_000 + i},u${i}`).join('\n')
    const up = await upload(server.url, 'joined.csv', `id,name\r\n${windows}\r\n${unix}\n`)
    const job = await submitAndWait(server, { fileId: (await up.json()).fileId, table: 'joined' })
    expect(job).toMatchObject({ status: 'SUCCEEDED', rows: { loaded: 1_000_000 } })
  })

  it('keeps line breaks inside quotes when it evens out mixed line endings', async () => {
    server = await startTestServer()
    const up = await upload(server.url, 'quoted.csv', 'id,note\n1,"two\r\nlines"\r\n2,plain\n3,"a\nb"\r\n')
    const job = await submitAndWait(server, { fileId: (await up.json()).fileId, table: 'quoted' })
    expect(job.status).toBe('SUCCEEDED')
    const res = await postJson(server.url, '/api/query', { sql: 'SELECT id, note FROM quoted ORDER BY id', waitMs: 10_000 })
    expect((await res.json()).rows).toEqual([
      [1, 'two\r\nlines'],
      [2, 'plain'],
      [3, 'a\nb'],
    ])
  })

  it('names no server path in the error of a failing ingest', async () => {
    server = await startTestServer()
    const up = await upload(server.url, 'open-quote.csv', 'a,b\n1,"2\n3,4\n')
    const job = await submitAndWait(server, { fileId: (await up.json()).fileId })
    expect(job.status).toBe('FAILED')
    const text = JSON.stringify(job)
    expect(text).not.toContain(server.dataDir)
    expect(text).not.toMatch(/staging\/|\/tmp\/|data\.csv/)
    expect(job.error).toMatchObject({ code: 'ROW_REJECTED', line: 2, message: expect.stringMatching(/^Line 2: Value with unterminated quote found\. /) })
  })
})
