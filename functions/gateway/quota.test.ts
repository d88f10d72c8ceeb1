import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../testing/test-server.ts'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A CSV of about `bytes` bytes, different for each seed (so Parquet cannot fold it away). */
function csvOf(bytes: number, seed = 1): string {
  const lines = ['id,text,amount']
  let size = lines[0]!.length + 1
  for (let i = 0; size < bytes; i++) {
    const line = `${i},row ${(i * 7919 + seed * 104729) % 1_000_003} of seed ${seed},${((i * 31 + seed) % 9973) / 100}`
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n') + '\n'
}

/** Every file under a folder of the data folder, with its size. */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size
  }
  return total
}

/**
 * A multipart upload sent without Content-Length (chunked), a slice at a time, as a streaming
 * client does; answers the status. A 413 closes the connection (on-error.ts) while the client
 * may still be sending, which can reset it before the answer is read: 'reset' then.
 */
function streamedUpload(url: string, name: string, csv: string): Promise<number | 'reset'> {
  const boundary = `----csvlake${Math.random().toString(16).slice(2)}`
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`,
  )
  const target = new URL(`${url}/api/upload`)
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
    })
    let answered = false
    req.on('response', (res) => {
      answered = true
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') resolve('reset')
      else reject(err)
    })
    const send = async () => {
      // Slices with pauses, so the uploads really overlap.
      for (let i = 0; i < body.byteLength && !answered && !req.destroyed; i += 64 * 1024) {
        req.write(body.subarray(i, i + 64 * 1024))
        await new Promise((r) => setTimeout(r, 2))
      }
      if (!req.destroyed) req.end()
    }
    void send()
  })
}

describe('the storage quota under concurrent uploads', () => {
  it('lets four concurrent uploads with 925 KB left keep no more than the quota', async () => {
    server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: '2000000' })
    expect((await upload(server.url, 'first.csv', csvOf(1_075_000))).status).toBe(201)
    const answers = await Promise.all([1, 2, 3, 4].map((seed) => upload(server!.url, `more-${seed}.csv`, csvOf(600_000, seed))))
    const statuses = answers.map((r) => r.status).sort()
    expect(statuses).toEqual([201, 413, 413, 413])
    for (const refused of answers.filter((r) => r.status === 413)) {
      expect((await refused.json()).error.message).toMatch(/storage quota of 1\.9 MiB/)
    }
    const { files } = await (await fetch(`${server.url}/api/files`)).json()
    expect(files).toHaveLength(2)
    // Nothing of a refused upload is kept.
    expect(await bytesUnder(join(server.dataDir, 'raw'))).toBeLessThanOrEqual(2_000_000)
    expect(await readdir(join(server.dataDir, 'raw', 'local'))).toHaveLength(2)
  })

  it('stops concurrent uploads sent without a Content-Length once together they would pass it', async () => {
    server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: '2000000' })
    expect((await upload(server.url, 'first.csv', csvOf(1_075_000))).status).toBe(201)
    const statuses = await Promise.all([1, 2, 3, 4].map((seed) => streamedUpload(server!.url, `more-${seed}.csv`, csvOf(600_000, seed))))
    const accepted = statuses.filter((s) => s === 201).length
    expect(statuses.filter((s) => s !== 201).every((s) => s === 413 || s === 'reset')).toBe(true)
    // The first to reserve holds what is left and fits in it; the others find nothing left.
    expect(accepted).toBe(1)
    expect(await bytesUnder(join(server.dataDir, 'raw'))).toBeLessThanOrEqual(2_000_000)
    expect(await readdir(join(server.dataDir, 'raw', 'local'))).toHaveLength(1 + accepted)
    // Once they have ended, what is left can be used again.
    expect((await upload(server.url, 'small.csv', csvOf(100_000, 9))).status).toBe(201)
  })
})

describe('deleting frees what was kept, once', () => {
  it('two deletes of one file at once free its bytes once: the quota still holds', async () => {
    server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: '3000000' })
    const kept = await upload(server.url, 'kept.csv', csvOf(1_000_000, 1))
    const gone = await upload(server.url, 'gone.csv', csvOf(1_000_000, 2))
    const { fileId } = await gone.json()
    expect([kept.status, gone.status]).toEqual([201, 201])
    const deletes = await Promise.all([1, 2].map(() => fetch(`${server!.url}/api/files/${fileId}`, { method: 'DELETE' })))
    expect(deletes.map((r) => r.status).sort()).toEqual([200, 404])
    // About 2 MB left: 2.5 MB does not fit (it did when the file's bytes were freed twice).
    expect((await upload(server.url, 'big.csv', csvOf(2_500_000, 3))).status).toBe(413)
    expect((await upload(server.url, 'fits.csv', csvOf(1_500_000, 4))).status).toBe(201)
  })
})

describe('what counts in the storage quota', () => {
  it("counts a tenant's tables, and dropping a table gives its bytes back", async () => {
    server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: '500000' })
    const first = await (await upload(server.url, 'first.csv', csvOf(200_000))).json()
    const submitted = await (await postJson(server.url, '/api/submit', { fileId: first.fileId, table: 'first' })).json()
    expect((await waitForJob(server.url, submitted.jobId)).status).toBe('SUCCEEDED')
    const lake = await bytesUnder(join(server.dataDir, 'lake'))
    const raw = await bytesUnder(join(server.dataDir, 'raw'))
    // The second upload fits beside the uploads alone, but not beside the table too.
    const second = csvOf(500_000 - raw - Math.floor(lake / 2), 2)
    expect(raw + Buffer.byteLength(second)).toBeLessThan(500_000)
    const refused = await upload(server.url, 'second.csv', second)
    expect(refused.status).toBe(413)
    expect((await refused.json()).error.message).toMatch(/Delete files or tables you no longer need/)
    expect((await fetch(`${server.url}/api/tables/first`, { method: 'DELETE' })).status).toBe(200)
    expect((await upload(server.url, 'second.csv', second)).status).toBe(201)
  })

  it('counts the query results and tables already in the data folder at start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'csvlake-quota-'))
    try {
      await mkdir(join(dataDir, 'results', 'local', 'q_1'), { recursive: true })
      await writeFile(join(dataDir, 'results', 'local', 'q_1', 'result.json'), 'x'.repeat(300_000))
      await mkdir(join(dataDir, 'lake', 'local', 'old', 'j_1'), { recursive: true })
      await writeFile(join(dataDir, 'lake', 'local', 'old', 'j_1', 'data.parquet'), 'x'.repeat(300_000))
      server = await startTestServer({ CSVLAKE_TENANT_QUOTA_BYTES: '1000000' }, dataDir)
      const refused = await upload(server.url, 'big.csv', csvOf(450_000))
      expect(refused.status).toBe(413)
      expect((await refused.json()).error).toMatchObject({ usedBytes: 600_000 })
      expect((await upload(server.url, 'small.csv', csvOf(350_000))).status).toBe(201)
    } finally {
      await server?.close()
      server = undefined
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
