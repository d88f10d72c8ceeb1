import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildEntries, freePort, startProcess, stopProcess } from '../../testing/built-process.ts'

let built: Awaited<ReturnType<typeof buildEntries>>
let dataDir: string
const children: ChildProcess[] = []
beforeAll(async () => {
  built = await buildEntries({ upload: 'functions/upload/main.ts' })
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-shutdown-'))
}, 60_000)
afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c, 'SIGKILL')))
  await built?.remove()
  await rm(dataDir, { recursive: true, force: true })
})

/** The upload function, built as it ships, with its log collected. */
async function startUpload(graceMs: number) {
  const port = freePort()
  let output = ''
  const child = await startProcess(join(built.outdir, 'upload.mjs'), { PORT: String(port), CSVLAKE_DATA_DIR: dataDir, CSVLAKE_SHUTDOWN_GRACE_MS: String(graceMs) }, (text) => (output += text))
  children.push(child)
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })))
  const logged = (text: string) => until(() => output.includes(text), `the log to say ${text}`)
  return { port, child, exited, log: () => output, logged }
}

/** A multipart upload whose body is sent in two parts: the second only when asked. */
function slowUpload(port: number, csv: string) {
  const boundary = 'csvlake-slow-boundary'
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.csv"\r\nContent-Type: text/csv\r\n\r\n`
  const tail = `\r\n--${boundary}--\r\n`
  const half = Math.floor(csv.length / 2)
  const first = head + csv.slice(0, half)
  const rest = csv.slice(half) + tail
  const req: ClientRequest = request({
    port,
    host: '127.0.0.1',
    method: 'POST',
    path: '/api/upload',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(Buffer.byteLength(first + rest)), 'x-request-id': 'slow-upload-1' },
  })
  const answer = new Promise<{ res: IncomingMessage; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.once('end', () => resolve({ res, body }))
      res.once('error', reject)
    })
    req.once('error', reject)
  })
  answer.catch(() => undefined)
  req.write(first)
  return { answer, finish: () => req.end(rest) }
}

function get(port: number, path: string, agent?: Agent) {
  return new Promise<number>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, ...(agent ? { agent } : {}) }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
    })
    req.once('error', reject)
    req.end()
  })
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const CSV = 'id,name\n' + Array.from({ length: 2000 }, (_, i) => `${i},name ${i}`).join('\n') + '\n'

describe('on SIGTERM, as Knative stops a replica (the built upload function, a real process)', () => {
  it('refuses new connections at once, answers the upload in flight in full, closes idle keep-alive connections and exits', async () => {
    const fn = await startUpload(8000)
    // A keep-alive connection left idle: close() would wait for its client (Node keeps it 5 s) unless it is closed.
    const keepAlive = new Agent({ keepAlive: true })
    expect(await get(fn.port, '/healthz', keepAlive)).toBe(200)
    const upload = slowUpload(fn.port, CSV)
    // The function is reading the body (the request counts as in flight) before the signal comes.
    await new Promise((r) => setTimeout(r, 300))
    fn.child.kill('SIGTERM')
    await fn.logged('upload stopping')
    expect(fn.log()).toMatch(/"message":"upload stopping".*"inFlight":1/)
    await expect(get(fn.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    upload.finish()
    const { res, body } = await upload.answer
    const answered = Date.now()
    expect(res.statusCode).toBe(201)
    expect(res.headers['x-request-id']).toBe('slow-upload-1')
    expect(JSON.parse(body)).toMatchObject({ name: 'slow.csv', size: CSV.length })
    const { code, at } = await fn.exited
    expect(code).toBe(0)
    // Well before the grace period or Node's keep-alive timeout: nothing idle held it open.
    expect(at - answered).toBeLessThan(2000)
    expect(fn.log()).toContain('"message":"upload stopped"')
    const line = fn.log().split('\n').find((l) => l.includes('"requestId":"slow-upload-1"'))
    expect(JSON.parse(line!)).toMatchObject({ message: 'request', function: 'upload', route: '/api/upload', method: 'POST', status: 201, tenant: 'local', bytesIn: expect.any(Number) })
    keepAlive.destroy()
  }, 60_000)

  it('cuts a request that outlives the grace period, and still exits', async () => {
    const fn = await startUpload(300)
    const upload = slowUpload(fn.port, CSV)
    await new Promise((r) => setTimeout(r, 300))
    const signalled = Date.now()
    fn.child.kill('SIGTERM')
    // The client never sends the rest: its connection is destroyed once the grace is over.
    await expect(upload.answer).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|socket hang up/i) })
    const { code, at } = await fn.exited
    expect(code).toBe(0)
    expect(at - signalled).toBeGreaterThanOrEqual(300)
    expect(at - signalled).toBeLessThan(5000)
    expect(fn.log()).toMatch(/cut requests still running after the grace period.*"cut":1/)
  }, 60_000)
})
