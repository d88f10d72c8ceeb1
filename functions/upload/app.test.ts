import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parquetBytes, SAMPLE_PARQUET_SQL } from '../core/adapters/local/parquet-fixture.ts'
import { startTestServer, upload, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer({ CSVLAKE_MAX_UPLOAD_BYTES: '4096' })
})
afterEach(() => server.close())

async function filesOnDisk(): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(dir, e.name))
      else out.push(join(dir, e.name))
    }
  }
  await walk(join(server.dataDir, 'raw'))
  await walk(join(server.dataDir, '.tmp'))
  return out
}

describe('POST /api/upload', () => {
  it('stores a CSV and answers its id, size, sha256 and detected dialect', async () => {
    const csv = 'name;age\nAda;36\nGrace;45\n'
    const res = await upload(server.url, 'People.csv', csv)
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body).toMatchObject({
      fileId: expect.stringMatching(/^f_[0-9a-f]{32}$/),
      name: 'People.csv',
      size: Buffer.byteLength(csv),
      sha256: createHash('sha256').update(csv).digest('hex'),
      compression: 'none',
      dialect: { delimiter: ';', header: true, columnNames: ['name', 'age'] },
    })
    const list = await (await fetch(`${server.url}/api/files`)).json()
    expect(list.files.map((f: { fileId: string }) => f.fileId)).toEqual([body.fileId])
  })

  it('accepts gzip-compressed CSV and sniffs the decompressed content', async () => {
    const gz = gzipSync('id,city\n1,Oslo\n2,Lima\n')
    const res = await upload(server.url, 'cities.csv.gz', gz, 'application/gzip')
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body.compression).toBe('gzip')
    expect(body.size).toBe(gz.byteLength)
    expect(body.dialect.columnNames).toEqual(['id', 'city'])
  })

  it('refuses a request without a file field with 400', async () => {
    const form = new FormData()
    form.append('other', 'x')
    const res = await fetch(`${server.url}/api/upload`, { method: 'POST', body: form })
    expect(res.status).toBe(400)
    expect((await res.json()).error.message).toMatch(/field named "file"/)
  })

  it('refuses a body that is not multipart with 415', async () => {
    const res = await fetch(`${server.url}/api/upload`, { method: 'POST', body: 'a,b\n1,2\n', headers: { 'content-type': 'text/csv' } })
    expect(res.status).toBe(415)
    expect((await res.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('refuses an empty file and keeps nothing', async () => {
    const res = await upload(server.url, 'empty.csv', '')
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe('EMPTY_FILE')
    expect(await filesOnDisk()).toEqual([])
  })

  it.each([
    ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['an xlsx workbook', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)])],
    ['bytes with NULs', Buffer.from('a,b\n1,\u0000\u0000\u0000\n')],
  ])('refuses %s as not CSV and keeps nothing', async (_what, bytes) => {
    const res = await upload(server.url, 'data.csv', bytes)
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.error.code).toBe('NOT_CSV')
    expect(body.error.message).toMatch(/not a CSV/)
    expect(await filesOnDisk()).toEqual([])
  })

  it('refuses a file over CSVLAKE_MAX_UPLOAD_BYTES with 413 and keeps nothing', async () => {
    const big = 'id,text\n' + Array.from({ length: 500 }, (_, i) => `${i},some text here`).join('\n')
    const res = await upload(server.url, 'big.csv', big)
    expect(res.status).toBe(413)
    const body = await res.json()
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(body.error.message).toMatch(/4 KiB/)
    expect(await filesOnDisk()).toEqual([])
    expect((await (await fetch(`${server.url}/api/files`)).json()).files).toEqual([])
  })

  it('refuses an oversized body sent without a length (chunked) with 413 and keeps nothing', async () => {
    const boundary = 'csvlakeboundary'
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(head + 'a,b\n'))
        for (let i = 0; i < 50; i++) controller.enqueue(new TextEncoder().encode('1234567890,abcdefghij\n'.repeat(10)))
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`))
        controller.close()
      },
    })
    const res = await fetch(`${server.url}/api/upload`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    } as RequestInit)
    expect(res.status).toBe(413)
    expect(await filesOnDisk()).toEqual([])
  })

  it('leaves nothing behind, not even a temp file, when the client goes away mid-file', async () => {
    const { request } = await import('node:http')
    const boundary = 'csvlakeboundary'
    const url = new URL(`${server.url}/api/upload`)
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': '100000' },
    })
    req.on('error', () => {})
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.csv"\r\n\r\na,b\n`)
    req.write('1,2\n'.repeat(500))
    await new Promise((r) => setTimeout(r, 200))
    req.destroy()
    await new Promise((r) => setTimeout(r, 300))
    expect(await filesOnDisk()).toEqual([])
    expect((await (await fetch(`${server.url}/api/files`)).json()).files).toEqual([])
  })

  it('answers 400 for a malformed multipart body', async () => {
    const res = await fetch(`${server.url}/api/upload`, {
      method: 'POST',
      body: 'garbage without boundaries',
      headers: { 'content-type': 'multipart/form-data' },
    })
    expect(res.status).toBe(400)
  })
})

describe('POST /api/upload of Parquet', () => {
  it('stores a Parquet file as parquet, recognised by its bytes, with its column names', async () => {
    const bytes = await parquetBytes(SAMPLE_PARQUET_SQL)
    const res = await upload(server.url, 'people.parquet', bytes, 'application/octet-stream')
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body).toMatchObject({ name: 'people.parquet', size: bytes.byteLength, format: 'parquet', compression: 'none' })
    expect(body.dialect.columnNames).toEqual(['id', 'score', 'day', 'seen_at', 'name', 'total'])
    const list = await (await fetch(`${server.url}/api/files`)).json()
    expect(list.files[0]).toMatchObject({ fileId: body.fileId, format: 'parquet' })
  })

  it('records a CSV as csv', async () => {
    const body = await (await upload(server.url, 'a.csv', 'x,y\n1,2\n')).json()
    expect(body.format).toBe('csv')
  })

  it('takes Parquet named .csv as the Parquet it is (the bytes decide)', async () => {
    const res = await upload(server.url, 'misnamed.csv', await parquetBytes(SAMPLE_PARQUET_SQL))
    expect(res.status).toBe(201)
    expect((await res.json()).format).toBe('parquet')
  })

  it.each([
    ['CSV text named .parquet', Buffer.from('id,name\n1,Ada\n')],
    ['an image named .parquet', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
  ])('refuses %s with 400 NOT_PARQUET and keeps nothing', async (_what, bytes) => {
    const res = await upload(server.url, 'fake.parquet', bytes, 'application/octet-stream')
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.error.code).toBe('NOT_PARQUET')
    expect(body.error.message).toMatch(/named \.parquet but is not Parquet/)
    expect(await filesOnDisk()).toEqual([])
  })

  it('refuses a Parquet file cut short (PAR1 at the head, not at the end) with 400 NOT_PARQUET and keeps nothing', async () => {
    const bytes = await parquetBytes(SAMPLE_PARQUET_SQL)
    const res = await upload(server.url, 'cut.parquet', bytes.subarray(0, bytes.byteLength - 100), 'application/octet-stream')
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.error.code).toBe('NOT_PARQUET')
    expect(body.error.message).toMatch(/does not end with PAR1/)
    expect(await filesOnDisk()).toEqual([])
  })

  it('refuses a Parquet file whose footer does not parse with 400 NOT_PARQUET', async () => {
    const bytes = Buffer.from(await parquetBytes(SAMPLE_PARQUET_SQL))
    const footerLength = bytes.readUInt32LE(bytes.byteLength - 8)
    bytes.fill(0xff, bytes.byteLength - 8 - footerLength, bytes.byteLength - 8)
    const res = await upload(server.url, 'broken.parquet', bytes, 'application/octet-stream')
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({ code: 'NOT_PARQUET', message: expect.stringMatching(/footer cannot be read/) })
    expect(await filesOnDisk()).toEqual([])
  })
})

describe('files', () => {
  it('deletes an upload, and answers 404 for it afterwards', async () => {
    const { fileId } = await (await upload(server.url, 'a.csv', 'x,y\n1,2\n')).json()
    const del = await fetch(`${server.url}/api/files/${fileId}`, { method: 'DELETE' })
    expect(del.status).toBe(200)
    expect((await (await fetch(`${server.url}/api/files`)).json()).files).toEqual([])
    const again = await fetch(`${server.url}/api/files/${fileId}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await filesOnDisk()).toEqual([])
  })

  it('answers 400 for an id that is not a file id', async () => {
    const res = await fetch(`${server.url}/api/files/..%2F..%2Fetc`, { method: 'DELETE' })
    expect(res.status).toBe(400)
  })
})
