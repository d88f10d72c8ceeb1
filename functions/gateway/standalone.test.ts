import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildEntries, freePort, startProcess, stopProcess } from '../testing/built-process.ts'
import { upload } from '../testing/test-server.ts'

let built: Awaited<ReturnType<typeof buildEntries>>
let dataDir: string
const children: ChildProcess[] = []
beforeAll(async () => {
  built = await buildEntries({ upload: 'functions/upload/main.ts', files: 'functions/files/main.ts', health: 'functions/health/main.ts', docs: 'functions/docs/main.ts' })
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-standalone-'))
})
afterAll(async () => {
  await Promise.all(children.map((c) => stopProcess(c)))
  await built.remove()
  await rm(dataDir, { recursive: true, force: true })
})

async function run(name: string) {
  const port = freePort()
  children.push(await startProcess(join(built.outdir, `${name}.mjs`), { PORT: String(port), CSVLAKE_DATA_DIR: dataDir }))
  return `http://127.0.0.1:${port}`
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
})
