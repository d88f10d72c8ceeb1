import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildEntries, freePort, startProcess, stopProcess } from '../testing/built-process.ts'
import { postJson, startTestServer, upload } from '../testing/test-server.ts'

let built: Awaited<ReturnType<typeof buildEntries>>
let dataDir: string
beforeAll(async () => {
  built = await buildEntries({ gateway: 'functions/gateway/main.ts' })
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-restart-'))
})
afterAll(async () => {
  await built.remove()
  await rm(dataDir, { recursive: true, force: true })
})

describe('a crash mid-job', () => {
  it('leaves no job RUNNING, no table and no staged data after a restart', async () => {
    const port = freePort()
    const url = `http://127.0.0.1:${port}`
    const child: ChildProcess = await startProcess(join(built.outdir, 'gateway.mjs'), {
      PORT: String(port),
      CSVLAKE_DATA_DIR: dataDir,
      CSVLAKE_LOCAL_WAIT_MS: '5',
    })
    // Big enough that the crawl is still running when the process is killed.
    const row = (i: number) => `${i},${'x'.repeat(40)},${i % 13},2024-01-${String((i % 28) + 1).padStart(2, '0')}`
    const csv = 'id,text,group,day\n' + Array.from({ length: 400_000 }, (_, i) => row(i)).join('\n') + '\n'
    const { fileId } = await (await upload(url, 'crash.csv', csv)).json()
    const { jobId } = await (await postJson(url, '/api/submit', { fileId })).json()
    await new Promise((r) => setTimeout(r, 50))
    const during = await (await fetch(`${url}/api/job-status?jobId=${jobId}`)).json()
    expect(during.status).toBe('RUNNING')
    await stopProcess(child, 'SIGKILL')

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
