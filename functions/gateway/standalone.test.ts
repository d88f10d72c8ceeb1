import type { ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildEntries, freePort, startProcess, stopProcess } from '../testing/built-process.ts'
import { upload } from '../testing/test-server.ts'

let built: Awaited<ReturnType<typeof buildEntries>>
let dataDir: string
const children: ChildProcess[] = []
beforeAll(async () => {
  built = await buildEntries({
    upload: 'functions/upload/main.ts',
    files: 'functions/files/main.ts',
    health: 'functions/health/main.ts',
    docs: 'functions/docs/main.ts',
    query: 'functions/query/main.ts',
    submit: 'functions/submit/main.ts',
    'job-status': 'functions/job-status/main.ts',
  })
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-standalone-'))
})
afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c)))
  await built.remove()
  await rm(dataDir, { recursive: true, force: true })
})

/** The pids of a process's children (Linux: /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(pid)
      } catch {
        return false
      }
    })
    .map(Number)
}

/** Whether a process is still there and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[0] !== 'Z'
  } catch {
    return false
  }
}

async function run(name: string) {
  return (await runProcess(name)).url
}

async function runProcess(name: string) {
  const port = freePort()
  const child = await startProcess(join(built.outdir, `${name}.mjs`), { PORT: String(port), CSVLAKE_DATA_DIR: dataDir })
  children.push(child)
  return { url: `http://127.0.0.1:${port}`, child }
}

describe('each function runs alone on PORT, as its Knative service does', () => {
  it('an upload taken by the upload function is listed by the files function: no state in either', async () => {
    const uploader = await run('upload')
    const lister = await run('files')
    const health = await run('health')
    const res = await upload(uploader, 'solo.csv', 'a,b\n1,2\n')
    expect(res.status).toBe(201)
    const { fileId } = await res.json()
    const list = await (await fetch(`${lister}/api/files`)).json()
    expect(list.files.map((f: { fileId: string }) => f.fileId)).toEqual([fileId])
    expect(await (await fetch(`${health}/api/health`)).json()).toEqual({ status: 'ok', mode: 'local' })
    // A function answers only its own routes.
    expect((await fetch(`${uploader}/api/files`)).status).toBe(404)
  }, 60_000)
  it('the docs function alone serves the document of every function\'s routes', async () => {
    const docs = await run('docs')
    expect((await fetch(`${docs}/healthz`)).status).toBe(200)
    const document = await (await fetch(`${docs}/api/openapi.json`)).json()
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/upload', '/api/query', '/api/jobs', '/api/config']))
    expect((await fetch(`${docs}/api/docs`)).headers.get('content-type')).toContain('text/html')
  }, 60_000)

  it('a query running when the query function dies ends FAILED (interrupted) once a query function starts again, instead of RUNNING for ever', async () => {
    const first = await runProcess('query')
    // Seconds of work for DuckDB: still running when its process is killed.
    const body = JSON.stringify({ sql: 'SELECT sum(i % 7) FROM range(2000000000) t(i)', waitMs: 0 })
    const started = await (await fetch(`${first.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()
    expect(started.status).toBe('RUNNING')
    await stopProcess(first.child, 'SIGKILL')
    const again = await run('query')
    const status = async () => (await (await fetch(`${again}/api/query/${started.queryId}`)).json()) as { status: string; error?: { code: string } }
    await expect.poll(async () => (await status()).status, { timeout: 20_000 }).toBe('FAILED')
    expect((await status()).error?.code).toBe('INTERRUPTED')
  }, 60_000)

  it('a query function killed with SIGKILL takes its sandbox processes with it, mid-query (they do not burn a core until the query ends)', async () => {
    if (process.platform !== 'linux') return
    const first = await runProcess('query')
    // Minutes of work for DuckDB: its sandbox would run on long after the function died.
    const body = JSON.stringify({ sql: 'SELECT sum(i % 7) FROM range(200000000000) t(i)', waitMs: 0 })
    const started = await (await fetch(`${first.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()
    expect(started.status).toBe('RUNNING')
    const sandboxes = childrenOf(first.child.pid!)
    expect(sandboxes.length).toBeGreaterThan(0)
    await stopProcess(first.child, 'SIGKILL')
    await expect.poll(() => sandboxes.filter(alive), { timeout: 10_000 }).toEqual([])
  }, 60_000)

  it('a job a dead submit function left RUNNING ends FAILED once a submit function starts again (job-status answers it)', async () => {
    // What a submit process killed mid-job leaves: the RUNNING record and its running-jobs marker.
    const jobId = `j_${'de'.repeat(16)}`
    const input = { jobId, tenant: 'local', fileId: `f_${'de'.repeat(16)}`, fileName: 'gone.csv', table: 'gone', mode: 'create', onError: 'fail', dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['a'] } }
    const record = { jobId, tenant: 'local', input, status: 'RUNNING', startedAt: new Date().toISOString(), steps: [], executionArn: `local:${jobId}` }
    await mkdir(join(dataDir, 'jobs', 'local'), { recursive: true })
    await writeFile(join(dataDir, 'jobs', 'local', `${jobId}.json`), JSON.stringify(record))
    await mkdir(join(dataDir, 'running-jobs', 'local'), { recursive: true })
    await writeFile(join(dataDir, 'running-jobs', 'local', jobId), '')
    await writeFile(join(dataDir, 'running-jobs', '.indexed'), '')
    const status = await run('job-status')
    const job = async () => (await (await fetch(`${status}/api/job-status?jobId=${jobId}`)).json()) as { status: string; error?: { message: string } }
    expect((await job()).status, 'job-status alone does not recover: submit owns the runs').toBe('RUNNING')
    await run('submit')
    await expect.poll(async () => (await job()).status, { timeout: 20_000 }).toBe('FAILED')
    expect((await job()).error?.message).toMatch(/stopped while this job was running/)
  }, 60_000)
})
