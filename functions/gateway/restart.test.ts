import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload } from '../testing/test-server.ts'

let outDir: string
let dataDir: string

beforeAll(async () => {
  // Inside the repository, so the bundle finds node_modules as dist/ does.
  const repoTmp = join(import.meta.dirname, '..', '..', '.tmp')
  await mkdir(repoTmp, { recursive: true })
  outDir = await mkdtemp(join(repoTmp, 'build-'))
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-restart-'))
  // The gateway as `npm start` builds it, so the test kills the real thing.
  await build({
    entryPoints: [join(import.meta.dirname, 'main.ts')],
    outfile: join(outDir, 'gateway.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  })
})
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true })
  await rm(dataDir, { recursive: true, force: true })
})

function startGateway(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(outDir, 'gateway.mjs')], {
    env: { ...process.env, PORT: String(port), CSVLAKE_DATA_DIR: dataDir, CSVLAKE_LOCAL_WAIT_MS: '5' },
    cwd: join(import.meta.dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve(child)
    })
    child.once('exit', (code) => reject(new Error(`gateway exited early with ${code}`)))
  })
}

describe('a crash mid-job', () => {
  it('leaves no job RUNNING, no table and no staged data after a restart', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const url = `http://127.0.0.1:${port}`
    const child = await startGateway(port)
    // Big enough that the crawl is still running when the process is killed.
    const row = (i: number) => `${i},${'x'.repeat(40)},${i % 13},2024-01-${String((i % 28) + 1).padStart(2, '0')}`
    const csv = 'id,text,group,day\n' + Array.from({ length: 400_000 }, (_, i) => row(i)).join('\n') + '\n'
    const { fileId } = await (await upload(url, 'crash.csv', csv)).json()
    const { jobId } = await (await postJson(url, '/api/submit', { fileId })).json()
    await new Promise((r) => setTimeout(r, 50))
    const during = await (await fetch(`${url}/api/job-status?jobId=${jobId}`)).json()
    expect(during.status).toBe('RUNNING')
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))

    const server = await startTestServer({}, dataDir)
    try {
      const after = await (await fetch(`${server.url}/api/job-status?jobId=${jobId}`)).json()
      expect(after.status).toBe('FAILED')
      expect(after.error.message).toMatch(/stopped while this job was running/)
      expect(after.steps.every((s: { status: string }) => s.status !== 'RUNNING')).toBe(true)
      expect((await (await fetch(`${server.url}/api/tables`)).json()).tables).toEqual([])
      expect(await readdir(join(dataDir, 'staging', 'local')).catch(() => [])).toEqual([])
      expect(await readdir(join(dataDir, 'lake', 'local', 'crash')).catch(() => [])).toEqual([])
      // The upload is intact and can be submitted again.
      const retry = await postJson(server.url, '/api/submit', { fileId })
      expect(retry.status).toBe(202)
    } finally {
      await server.close()
    }
  }, 60_000)
})
