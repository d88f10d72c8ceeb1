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
/** The default page sizes of GET /api/files and GET /api/jobs. */
const FILES_PAGE = 100
const JOBS_PAGE = 50

/**
 * What a tenant's history costs: the first page of the files and the jobs, an upload (its quota
 * checked) and the gateway's start-up, for a tenant with `size` of history (written straight
 * into a data folder as csvlake writes it) against the same calls with none. Turn about, so a
 * drift of the machine's speed hits both alike.
 */
export async function historyFigures(scratch: string, size: HistorySize, runs: number, start: typeof startGateway = startGateway): Promise<Row[]> {
  const empty = join(scratch, 'history-empty')
  const full = join(scratch, 'history-full')
  // A history of one page (of files and of jobs): the first page holds the same records as the full one's.
  const onePage = join(scratch, 'history-one-page')
  await writeHistory(empty, { uploads: 0, jobs: 0, queries: 0 })
  await writeHistory(onePage, { uploads: FILES_PAGE, jobs: JOBS_PAGE, queries: 0 })
  await writeHistory(full, size)
  const calls = Math.max(20, runs * 20)
  const label = `${size.uploads.toLocaleString('en')} uploads, ${size.jobs.toLocaleString('en')} jobs, ${size.queries.toLocaleString('en')} queries`
  const withQuota = { CSVLAKE_TENANT_QUOTA_BYTES: QUOTA }

  try {
    // The first start on a folder written by hand measures each tenant's storage on its first upload, once;
    // every clean stop saves the figure for the next start.
    const firstEver: number[] = []
    for (const dir of [empty, full]) {
      const app = await start(dir, withQuota)
      firstEver.push(await uploadMs(app))
      await app.stop()
    }
    const starts: [number[], number[]] = [[], []]
    const startsWithoutQueries: number[] = []
    const firstUploads: [number[], number[]] = [[], []]
    for (let i = 0; i < Math.max(3, runs); i++) {
      for (const [side, dir] of [[0, empty], [1, full]] as const) {
        const app = await start(dir, withQuota)
        starts[side].push(app.startMs)
        firstUploads[side].push(await uploadMs(app))
        await app.stop()
      }
      // The query records' start-up work belongs to the query engine: the same start without them shows the rest.
      await rename(join(full, 'queries'), join(full, 'queries.aside'))
      const app = await start(full, withQuota)
      startsWithoutQueries.push(app.startMs)
      await app.stop()
      await rename(join(full, 'queries.aside'), join(full, 'queries'))
    }

    const apps = [await start(empty, withQuota), await start(onePage, withQuota), await start(full, withQuota)] as const
    try {
      const turnAbout = async (call: (app: Running) => Promise<number>) => {
        for (const app of apps) for (let i = 0; i < 5; i++) await call(app) // warm up
        const times: [number[], number[], number[]] = [[], [], []]
        for (let i = 0; i < calls; i++) for (const [side, app] of apps.entries()) times[side]!.push(await call(app))
        return times.map(median) as [number, number, number]
      }
      const list = (figure: string, [none, page, some]: [number, number, number]): Row => ({
        figure: `${figure}, ${label}`,
        csvlake: fmtMs(some),
        reference: `no history ${fmtMs(none)}; one page of history ${fmtMs(page)}`,
        ratio: `${fmtRatio(some / none)} (${fmtRatio(some / page)} of one page)`,
        target: 'within 2x (of a history of one page: the page itself is the same work)',
        met: some <= page * 2,
      })
      const row = (figure: string, [none, some]: [number, number]): Row => ({
        figure: `${figure}, ${label}`,
        csvlake: fmtMs(some),
        reference: `no history ${fmtMs(none)}`,
        ratio: fmtRatio(some / none),
        target: 'within 2x',
        met: some <= none * 2,
      })
      const files = await turnAbout((app) => getMs(app, '/api/files'))
      const jobs = await turnAbout((app) => getMs(app, '/api/jobs'))
      const [noneUpload, , someUpload] = await turnAbout(uploadMs)
      const startUp: [number, number] = [median(starts[0]), median(starts[1])]
      return [
        list(`list files, first page (${FILES_PAGE})`, files),
        list(`list jobs, first page (${JOBS_PAGE})`, jobs),
        row('upload with a quota (its quota check)', [noneUpload, someUpload]),
        row('first upload after a restart (quota figure saved at the clean stop)', [median(firstUploads[0]), median(firstUploads[1])]),
        { ...row('first upload on a folder never measured (walks the tenant once)', [firstEver[0]!, firstEver[1]!]), target: 'once per folder', met: null },
        row('start-up to first answer', startUp),
        {
          ...row('', [startUp[0], median(startsWithoutQueries)]),
          figure: `start-up to first answer, ${size.uploads.toLocaleString('en')} uploads and ${size.jobs.toLocaleString('en')} jobs (query records set aside: their start-up is the query engine's)`,
        },
      ]
    } finally {
      for (const app of apps) await app.stop()
    }
  } finally {
    for (const dir of [empty, onePage, full]) await rm(dir, { recursive: true, force: true })
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
