import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { newId } from '../../functions/core/new-id.ts'
import { startGateway, type Running } from '../lib/app.ts'
import { fmtMs, fmtRatio, type Row } from '../lib/row.ts'
import { median } from '../lib/stats.ts'

export type HistorySize = { uploads: number; jobs: number; queries: number }

const TENANT = 'local'
/** A quota far above what the figure writes: every upload is checked against it, none refused. */
const QUOTA = String(1024 ** 4)
const CSV = 'id,name\n1,Ada\n2,Grace\n'

/**
 * What a tenant's history costs: the first page of the files and the jobs, an upload (its quota
 * checked) and the gateway's start-up, for a tenant with `size` of history (written straight
 * into a data folder as csvlake writes it) against the same calls with none. Turn about, so a
 * drift of the machine's speed hits both alike.
 */
export async function historyFigures(scratch: string, size: HistorySize, runs: number, start: typeof startGateway = startGateway): Promise<Row[]> {
  const empty = join(scratch, 'history-empty')
  const full = join(scratch, 'history-full')
  await writeHistory(empty, { uploads: 0, jobs: 0, queries: 0 })
  await writeHistory(full, size)
  const calls = Math.max(20, runs * 20)
  const label = `${size.uploads.toLocaleString('en')} uploads, ${size.jobs.toLocaleString('en')} jobs, ${size.queries.toLocaleString('en')} queries`

  const starts: [number[], number[]] = [[], []]
  const startsWithoutQueries: number[] = []
  const firstUploads: [number[], number[]] = [[], []]
  for (let i = 0; i < Math.max(3, runs); i++) {
    for (const [side, dir] of [[0, empty], [1, full]] as const) {
      const app = await start(dir, { CSVLAKE_TENANT_QUOTA_BYTES: QUOTA })
      starts[side].push(app.startMs)
      // The first upload after start measures the tenant's storage once.
      firstUploads[side].push(await uploadMs(app))
      await app.stop()
    }
    // The query records' start-up work belongs to the query engine: the same start without them shows the rest.
    await rename(join(full, 'queries'), join(full, 'queries.aside'))
    const app = await start(full, { CSVLAKE_TENANT_QUOTA_BYTES: QUOTA })
    startsWithoutQueries.push(app.startMs)
    await app.stop()
    await rename(join(full, 'queries.aside'), join(full, 'queries'))
  }

  const apps = [await start(empty, { CSVLAKE_TENANT_QUOTA_BYTES: QUOTA }), await start(full, { CSVLAKE_TENANT_QUOTA_BYTES: QUOTA })] as const
  try {
    const turnAbout = async (call: (app: Running) => Promise<number>) => {
      for (const app of apps) for (let i = 0; i < 5; i++) await call(app) // warm up
      const times: [number[], number[]] = [[], []]
      for (let i = 0; i < calls; i++) {
        times[0].push(await call(apps[0]))
        times[1].push(await call(apps[1]))
      }
      return times.map(median) as [number, number]
    }
    const files = await turnAbout((app) => getMs(app, '/api/files'))
    const jobs = await turnAbout((app) => getMs(app, '/api/jobs'))
    const uploads = await turnAbout(uploadMs)
    const row = (figure: string, [none, some]: [number, number]): Row => ({
      figure: `${figure}, ${label}`,
      csvlake: fmtMs(some),
      reference: `no history ${fmtMs(none)}`,
      ratio: fmtRatio(some / none),
      target: 'within 2x',
      met: some <= none * 2,
    })
    const start: [number, number] = [median(starts[0]), median(starts[1])]
    return [
      row('list files, first page', files),
      row('list jobs, first page', jobs),
      row('upload with a quota (quota checked)', uploads),
      row('first upload after start (measures the tenant once)', [median(firstUploads[0]), median(firstUploads[1])]),
      row('start-up to first answer', start),
      { ...row('start-up to first answer, query records set aside', [start[0], median(startsWithoutQueries)]), figure: `start-up to first answer, ${size.uploads.toLocaleString('en')} uploads and ${size.jobs.toLocaleString('en')} jobs (query records set aside)` },
    ]
  } finally {
    for (const app of apps) await app.stop()
    await rm(empty, { recursive: true, force: true })
    await rm(full, { recursive: true, force: true })
  }
}

async function getMs(app: Running, path: string): Promise<number> {
  const start = performance.now()
  const res = await fetch(app.url + path)
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`)
  return performance.now() - start
}

async function uploadMs(app: Running): Promise<number> {
  const form = new FormData()
  form.append('file', new Blob([CSV], { type: 'text/csv' }), 'small.csv')
  const start = performance.now()
  const res = await fetch(`${app.url}/api/upload`, { method: 'POST', body: form })
  await res.arrayBuffer()
  if (res.status !== 201) throw new Error(`upload answered ${res.status}`)
  return performance.now() - start
}

/** A data folder as csvlake leaves it after `size` of history: records and their files, written directly. */
async function writeHistory(dir: string, size: HistorySize): Promise<void> {
  await mkdir(join(dir, 'running-jobs'), { recursive: true })
  // Written by every start since the index of running jobs exists (local-workflow.ts).
  await writeFile(join(dir, 'running-jobs', '.indexed'), '')
  const now = new Date().toISOString()
  const dialect = { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id', 'name'] }
  const inBatches = async (count: number, write: (i: number) => Promise<void>) => {
    for (let i = 0; i < count; i += 200) await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => write(i + j)))
  }
  await inBatches(size.uploads, async () => {
    const fileId = newId('f')
    const folder = join(dir, 'raw', TENANT, fileId)
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, 'data'), CSV)
    const meta = { fileId, name: 'people.csv', size: CSV.length, sha256: '0'.repeat(64), contentType: 'text/csv', compression: 'none', uploadedAt: now, dialect }
    await writeFile(join(folder, 'meta.json'), JSON.stringify(meta, null, 2))
  })
  await mkdir(join(dir, 'jobs', TENANT), { recursive: true })
  await inBatches(size.jobs, async () => {
    const jobId = newId('j')
    const input = { jobId, tenant: TENANT, fileId: newId('f'), fileName: 'people.csv', table: 'people', mode: 'append', onError: 'fail', dialect }
    const steps = ['StageFile', 'CreateClassifier', 'CreateCrawler', 'StartCrawler', 'GetCrawler', 'ConvertToParquet', 'RegisterTable', 'CleanUp', 'IngestSucceeded']
    const record = {
      jobId,
      tenant: TENANT,
      input,
      status: 'SUCCEEDED',
      startedAt: now,
      endedAt: now,
      steps: steps.map((name) => ({ name, type: 'Task', status: 'SUCCEEDED', startedAt: now, endedAt: now })),
      result: { table: 'people', columns: [{ name: 'id', type: 'BIGINT' }, { name: 'name', type: 'VARCHAR' }], rowsRead: 2, rowsLoaded: 2, rowsRejected: 0, rejected: [], tableRowCount: 2 },
      executionArn: `local:execution:ingest:${jobId}`,
    }
    await writeFile(join(dir, 'jobs', TENANT, `${jobId}.json`), JSON.stringify(record, null, 2))
  })
  await mkdir(join(dir, 'queries', TENANT), { recursive: true })
  await inBatches(size.queries, async (i) => {
    const queryId = newId('q')
    const record = { queryId, tenant: TENANT, sql: `SELECT * FROM people WHERE id = ${i}`, status: 'SUCCEEDED', submittedAt: now, endedAt: now, columns: [{ name: 'id', type: 'BIGINT' }], rowCount: 1 }
    await writeFile(join(dir, 'queries', TENANT, `${queryId}.json`), JSON.stringify(record))
    await mkdir(join(dir, 'results', TENANT, queryId), { recursive: true })
    await writeFile(join(dir, 'results', TENANT, queryId, 'result.json'), JSON.stringify({ columns: [{ name: 'id', type: 'BIGINT' }], rows: [[i]] }))
  })
}
