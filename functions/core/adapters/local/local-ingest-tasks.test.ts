import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postJson, startTestServer, upload, waitForJob, type TestServer } from '../../../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

type Job = { status: string; steps: { name: string; status: string }[]; table: { rowCount?: number }; rows?: { loaded: number }; error?: { code: string } }

async function load(name: string, csv: string, body: Record<string, unknown> = {}): Promise<Job> {
  const { fileId } = await (await upload(server.url, name, csv)).json()
  const { jobId } = await (await postJson(server.url, '/api/submit', { fileId, ...body })).json()
  return (await waitForJob(server.url, jobId)) as unknown as Job
}

/** Every file under `folder` of the data folder, relative to it. */
async function filesUnder(folder: string): Promise<string[]> {
  try {
    return (await readdir(join(server.dataDir, folder), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(server.dataDir.length + 1))
  } catch {
    return []
  }
}

describe('the local Task handlers under the real state machine', () => {
  it('create, append and replace succeed in every step, the replaced parts stay for the earlier versions, and nothing is left staged', async () => {
    const created = await load('parts.csv', 'k,v\n1,a\n2,b\n')
    expect(created.status).toBe('SUCCEEDED')
    expect(created.steps.filter((s) => s.status !== 'SUCCEEDED')).toEqual([])
    // As the browser journey reads them: the first step and the last.
    expect([created.steps[0]?.name, created.steps[1]?.name, created.steps.at(-1)?.name]).toEqual(['ChooseFormat', 'StageFile', 'IngestSucceeded'])
    expect(created.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['RegisterTable', 'CountNewTableRows', 'CreateTable', 'TableRegistered', 'CleanUp', 'IngestSucceeded']))

    const appended = await load('parts2.csv', 'k,v\n3,c\n', { table: 'parts', mode: 'append' })
    expect(appended).toMatchObject({ status: 'SUCCEEDED', table: { rowCount: 3 }, rows: { loaded: 1 } })
    expect(appended.steps.filter((s) => s.status !== 'SUCCEEDED')).toEqual([])
    expect(appended.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['ReadTable', 'CheckSchema', 'CountAppendedRows', 'AppendPart']))
    expect((await filesUnder('lake/local/parts')).filter((f) => f.endsWith('.parquet'))).toHaveLength(2)

    const replaced = await load('parts3.csv', 'k,v\n9,z\n', { table: 'parts', mode: 'replace' })
    expect(replaced).toMatchObject({ status: 'SUCCEEDED', table: { rowCount: 1 } })
    expect(replaced.steps.filter((s) => s.status !== 'SUCCEEDED')).toEqual([])
    // Versions 1 and 2 still read the two replaced parts (CSVLAKE_TABLE_VERSION_DAYS, 30 by default).
    expect((await filesUnder('lake/local/parts')).filter((f) => f.endsWith('.parquet'))).toHaveLength(3)
    expect(await filesUnder('staging')).toEqual([])
  })

  it('with no version history kept (CSVLAKE_TABLE_VERSION_DAYS=0), a replace deletes the replaced parts at once', async () => {
    const bare = await startTestServer({ CSVLAKE_TABLE_VERSION_DAYS: '0' })
    try {
      const loadThere = async (name: string, csv: string, body: Record<string, unknown> = {}) => {
        const { fileId } = await (await upload(bare.url, name, csv)).json()
        const { jobId } = await (await postJson(bare.url, '/api/submit', { fileId, ...body })).json()
        return (await waitForJob(bare.url, jobId)) as unknown as Job
      }
      expect(await loadThere('once.csv', 'k\n1\n')).toMatchObject({ status: 'SUCCEEDED' })
      expect(await loadThere('twice.csv', 'k\n2\n', { table: 'once', mode: 'replace' })).toMatchObject({ status: 'SUCCEEDED', table: { rowCount: 1 } })
      const parts = (await readdir(join(bare.dataDir, 'lake/local/once'), { recursive: true })).filter((f) => f.endsWith('.parquet'))
      expect(parts).toHaveLength(1)
    } finally {
      await bare.close()
    }
  })

  it('a failed conversion leaves no staged file and no part, and catches the error on ConvertToParquet', async () => {
    const job = await load('ragged.csv', 'a,b\n1,2\n3,4,5\n')
    expect(job).toMatchObject({ status: 'FAILED', error: { code: 'ROW_REJECTED' } })
    expect(job.steps.find((s) => s.name === 'ConvertToParquet')?.status).toBe('CAUGHT')
    expect(await filesUnder('lake/local/ragged')).toEqual([])
    expect(await filesUnder('staging')).toEqual([])
  })

  it('replacing a table that does not exist creates it', async () => {
    const job = await load('fresh.csv', 'x\n1\n', { mode: 'replace' })
    expect(job).toMatchObject({ status: 'SUCCEEDED', table: { rowCount: 1 } })
    expect(job.steps.find((s) => s.name === 'ReadTable')?.status).toBe('CAUGHT')
    expect(job.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['TableNotFound', 'CreateTable']))
  })
})
