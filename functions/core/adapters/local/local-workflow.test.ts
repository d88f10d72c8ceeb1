import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import definition from '../../../../statemachines/ingest.asl.json' with { type: 'json' }
import { taskError } from '../../ingest/execution-input.ts'
import { newId } from '../../ids.ts'
import { createLogger } from '../../logger.ts'
import type { IngestInput, JobRecord } from '../../ports/workflow.ts'
import { tenantId } from '../../tenant.ts'
import { DiskObjectStore } from './disk-object-store.ts'
import { LocalWorkflow } from './local-workflow.ts'

type Handlers = Record<string, (params: Record<string, unknown>) => Promise<unknown>>

let root: string
let store: DiskObjectStore
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'csvlake-wf-'))
  store = new DiskObjectStore(root)
})
afterEach(() => rm(root, { recursive: true, force: true }))

const input: IngestInput = {
  jobId: 'j_00000000000000000000000000000001',
  tenant: tenantId('local'),
  fileId: 'f_00000000000000000000000000000001',
  fileName: 'a.csv',
  table: 'a',
  mode: 'create',
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['x'] },
}

/** What the conversion wrote, read back by ReadConversion (S3 GetObject's Body). */
const outcome = { columns: [{ Name: 'x', Type: 'bigint' }], rowsRead: 3, rowsLoaded: 2, rowsRejected: 1, rejected: [{ line: 3, column: null, value: 'z', message: 'bad' }], schemaKey: '[["x","bigint"]]', checkPredicate: 'true' }

/** AWS-shaped answers for every Task of the real ASL file, with hooks to make a state misbehave. */
function tasks(over: Partial<Handlers> = {}, seen: Record<string, unknown> = {}): Handlers {
  let polls = 0
  const ok = async () => ({})
  const base: Handlers = {
    StageFile: ok,
    CreateClassifier: ok,
    CreateCrawler: ok,
    StartCrawler: ok,
    GetCrawler: async () => ({ Crawler: { State: ++polls < 3 ? 'RUNNING' : 'READY', LastCrawl: { Status: 'SUCCEEDED' } } }),
    GetCrawledTable: async () => ({ Table: { Name: 't', StorageDescriptor: { Columns: [{ Name: 'x', Type: 'bigint' }], Location: 's3://b/x/' } } }),
    ConvertToParquet: ok,
    ReadConversion: async () => ({ Body: JSON.stringify(outcome) }),
    ReadStageError: async () => {
      throw taskError('S3.NoSuchKeyException', { code: 'NoSuchKey', message: 'The specified key does not exist.' })
    },
    ReadConversionError: async () => {
      throw taskError('S3.NoSuchKeyException', { code: 'NoSuchKey', message: 'The specified key does not exist.' })
    },
    CreateParquetTable: ok,
    CheckParquet: async () => ({ QueryExecution: { QueryExecutionId: 'q', Status: { State: 'SUCCEEDED' } } }),
    CreateDatabase: ok,
    ReadTable: async () => ({ Table: { Name: 'a', VersionId: '1', Parameters: { csvlake_parts: 'j_1', csvlake_rows: '5', csvlake_schema: outcome.schemaKey } } }),
    CreateTable: ok,
    AppendPart: ok,
    ReplaceTable: ok,
    CleanUpAfterFailure: ok,
    StopCrawler: ok,
    CleanUp: ok,
    DeleteClassifier: ok,
    DeleteCrawledTable: ok,
    DeleteParquetTable: ok,
    DeleteStagedFiles: ok,
  }
  const merged = { ...base, ...over } as Handlers
  return Object.fromEntries(
    Object.entries(merged).map(([name, fn]) => [name, async (p: Record<string, unknown>) => ((seen[name] = p), fn(p))]),
  )
}

function baseDeps(handlers: Handlers) {
  return {
    store,
    definition: definition as unknown as StateMachineDefinition,
    tasksFor: () => handlers,
    waitMs: 1,
    cleanUpDead: async () => {},
    log: createLogger({ quiet: true }),
    now: () => new Date(),
  }
}

function workflow(handlers: Handlers) {
  return new LocalWorkflow(baseDeps(handlers))
}

async function finished(wf: LocalWorkflow): Promise<JobRecord> {
  for (let i = 0; i < 500; i++) {
    const job = await wf.describe(input.tenant, input.jobId)
    if (job.status !== 'RUNNING') return job
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error('job did not end')
}

describe('LocalWorkflow running statemachines/ingest.asl.json', () => {
  it('polls the crawler through the Choice loop and records one step per state with its passes', async () => {
    const seen: Record<string, unknown> = {}
    const wf = workflow(tasks({}, seen))
    await wf.start(input)
    const job = await finished(wf)
    expect(job.status).toBe('SUCCEEDED')
    const byName = Object.fromEntries(job.steps.map((s) => [s.name, s]))
    expect(byName.GetCrawler).toMatchObject({ status: 'SUCCEEDED', passes: 3 })
    expect(byName.WaitForCrawler).toMatchObject({ status: 'SUCCEEDED', passes: 3 })
    expect(byName.IngestSucceeded).toMatchObject({ status: 'SUCCEEDED' })
    // The Task states get the parameters the AWS integrations would get.
    expect(seen.StartCrawler).toEqual({ Name: `csvlake-${input.jobId}` })
    expect(seen.CreateClassifier).toMatchObject({ CsvClassifier: { Delimiter: ',', QuoteSymbol: '"', ContainsHeader: 'PRESENT', Header: ['x'] } })
    expect(seen.CreateCrawler).toMatchObject({ Targets: { S3Targets: [{ Path: `s3://local/staging/local/${input.jobId}/` }] } })
    await wf.close()
  })

  it('keeps the execution\'s output as the job\'s result, with the table\'s row count after an append', async () => {
    const wf = workflow(tasks())
    await wf.start({ ...input, mode: 'append' })
    const job = await finished(wf)
    expect(job.status).toBe('SUCCEEDED')
    expect(job.result).toEqual({
      table: 'a',
      columns: [{ name: 'x', type: 'bigint' }],
      rowsRead: 3,
      rowsLoaded: 2,
      rowsRejected: 1,
      rejected: [{ line: 3, column: null, value: 'z', message: 'bad' }],
      tableRowCount: 7,
    })
    await wf.close()
  })

  it('answers a second start of the same job with the first, as StartExecution does for a name', async () => {
    let stagings = 0
    const wf = workflow(tasks({ StageFile: async () => ((stagings += 1), {}) }))
    const first = await wf.start(input)
    const again = await wf.start(input)
    expect(again.jobId).toBe(first.jobId)
    expect((await finished(wf)).status).toBe('SUCCEEDED')
    expect(stagings).toBe(1)
    await wf.close()
  })

  it('retries StartCrawler on Glue.CrawlerRunningException, then goes on', async () => {
    let starts = 0
    const wf = workflow(
      tasks({
        StartCrawler: async () => {
          if (starts++ === 0) throw taskError('Glue.CrawlerRunningException', { code: 'CrawlerRunningException', message: 'busy' })
          return {}
        },
      }),
    )
    await wf.start(input)
    const job = await finished(wf)
    expect(job.status).toBe('SUCCEEDED')
    expect(job.steps.find((s) => s.name === 'StartCrawler')).toMatchObject({ status: 'SUCCEEDED', retries: 1 })
  })

  it('fails loudly when the crawler is READY but its last crawl failed, and cleans up', async () => {
    let cleaned = false
    const wf = workflow(
      tasks({
        GetCrawler: async () => ({ Crawler: { State: 'READY', LastCrawl: { Status: 'FAILED', ErrorMessage: 'could not read the file' } } }),
        CleanUpAfterFailure: async () => ((cleaned = true), {}),
      }),
    )
    await wf.start(input)
    const job = await finished(wf)
    expect(job.status).toBe('FAILED')
    expect(job.error).toMatchObject({ message: 'could not read the file' })
    expect(job.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['CrawlFailed', 'CleanUpAfterFailure', 'IngestFailed']))
    expect(job.steps.map((s) => s.name)).not.toContain('ConvertToParquet')
    expect(cleaned).toBe(true)
  })

  it('carries a task error with its line into the job record', async () => {
    const wf = workflow(
      tasks({
        ConvertToParquet: async () => {
          throw taskError('Csvlake.RowRejected', { code: 'ROW_REJECTED', message: 'Line 7: bad', line: 7, column: 'x', value: 'oops' })
        },
      }),
    )
    await wf.start(input)
    const job = await finished(wf)
    expect(job.status).toBe('FAILED')
    expect(job.error).toEqual({ code: 'ROW_REJECTED', message: 'Line 7: bad', line: 7, column: 'x', value: 'oops' })
    expect(job.steps.find((s) => s.name === 'ConvertToParquet')).toMatchObject({ status: 'CAUGHT', error: 'Line 7: bad' })
  })

  it('marks a job left RUNNING by a dead process FAILED at recovery, with every step ended', async () => {
    const wf = workflow(tasks())
    const dead: JobRecord = {
      jobId: input.jobId,
      tenant: input.tenant,
      input,
      status: 'RUNNING',
      startedAt: new Date().toISOString(),
      steps: [{ name: 'StartCrawler', type: 'Task', status: 'RUNNING', startedAt: new Date().toISOString() }],
      executionArn: 'local',
    }
    await store.putBytes(`jobs/local/${input.jobId}.json`, JSON.stringify(dead))
    expect(await wf.recover()).toBe(1)
    const job = await wf.describe(input.tenant, input.jobId)
    expect(job.status).toBe('FAILED')
    expect(job.steps[0]).toMatchObject({ status: 'FAILED' })
    expect(job.error?.message).toMatch(/stopped while this job was running/)
  })

  it('frees the tenant\'s job slot and leaves no RUNNING record when an execution cannot start', async () => {
    let broken = true
    const wf = new LocalWorkflow({
      store,
      definition: definition as unknown as StateMachineDefinition,
      tasksFor: () => {
        if (broken) throw new Error('no handlers')
        return tasks()
      },
      waitMs: 1,
      cleanUpDead: async () => {},
      log: createLogger({ quiet: true }),
      now: () => new Date(),
      maxRunningPerTenant: 1,
    })
    await expect(wf.start(input)).rejects.toThrow('no handlers')
    expect((await wf.describe(input.tenant, input.jobId)).status).toBe('FAILED')
    broken = false
    const second = { ...input, jobId: 'j_00000000000000000000000000000002' }
    await wf.start(second)
    await expect(wf.describe(second.tenant, second.jobId)).resolves.toMatchObject({ jobId: second.jobId })
    await wf.close()
  })

  it('answers NOT_FOUND for another tenant asking for the job', async () => {
    const wf = workflow(tasks())
    await wf.start(input)
    await finished(wf)
    await expect(wf.describe(tenantId('other'), input.jobId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('lists a page of jobs newest first reading only that page, however many jobs the tenant has', async () => {
    const ids: string[] = []
    for (let i = 0; i < 300; i++) {
      const jobId = newId('j')
      ids.push(jobId)
      const record: JobRecord = { jobId, tenant: input.tenant, input: { ...input, jobId }, status: 'SUCCEEDED', startedAt: new Date().toISOString(), steps: [], executionArn: 'local' }
      await store.putBytes(`jobs/local/${jobId}.json`, JSON.stringify(record))
    }
    let reads = 0
    const counting: DiskObjectStore = Object.create(store)
    counting.getBytes = (key) => (reads++, store.getBytes(key))
    const wf = new LocalWorkflow({ ...baseDeps(tasks()), store: counting })
    const first = await wf.list(input.tenant, { limit: 20 })
    expect(first.jobs.map((j) => j.jobId)).toEqual(ids.slice(-20).reverse())
    expect(reads).toBe(20)
    const second = await wf.list(input.tenant, { limit: 20, after: first.after! })
    expect(second.jobs.map((j) => j.jobId)).toEqual(ids.slice(-40, -20).reverse())
    const last = await wf.list(input.tenant, { limit: 1000, after: second.after! })
    expect(last.jobs).toHaveLength(260)
    expect(last.after).toBeUndefined()
  })

  it('recovers at start reading only the jobs that were running, not every finished one', async () => {
    const wf = workflow(tasks())
    await wf.recover() // a fresh folder: the index of running jobs exists from now on
    const ended: string[] = []
    for (let i = 0; i < 50; i++) {
      const jobId = newId('j')
      await store.putBytes(`jobs/local/${jobId}.json`, JSON.stringify({ jobId, tenant: 'local', input: { ...input, jobId }, status: 'SUCCEEDED', startedAt: new Date().toISOString(), steps: [], executionArn: 'local' }))
    }
    // A job started, then the process died.
    const dying = new LocalWorkflow({ ...baseDeps(tasks({ StartCrawler: () => new Promise(() => {}) })) })
    await dying.start(input)
    // It "dies" where it hangs: until then it is still writing its record, step by step.
    await vi.waitFor(async () => expect((await dying.describe(input.tenant, input.jobId)).steps.map((s) => s.name)).toContain('StartCrawler'))
    let reads = 0
    const counting: DiskObjectStore = Object.create(store)
    counting.getBytes = (key) => (reads++, store.getBytes(key))
    const restarted = new LocalWorkflow({ ...baseDeps(tasks()), store: counting, ended: async (r) => void ended.push(r.jobId) })
    expect(await restarted.recover()).toBe(1)
    expect(reads).toBe(1)
    expect((await restarted.describe(input.tenant, input.jobId)).status).toBe('FAILED')
    expect(ended).toEqual([input.jobId])
    // Recovered once: the next start finds nothing to do.
    expect(await restarted.recover()).toBe(0)
    await dying.close()
  })

  it('recovers a running job in a folder written before the index of running jobs existed', async () => {
    const dead: JobRecord = { jobId: input.jobId, tenant: input.tenant, input, status: 'RUNNING', startedAt: new Date().toISOString(), steps: [], executionArn: 'local' }
    await store.putBytes(`jobs/local/${input.jobId}.json`, JSON.stringify(dead))
    expect(await workflow(tasks()).recover()).toBe(1)
    expect((await workflow(tasks()).describe(input.tenant, input.jobId)).status).toBe('FAILED')
  })

  it('cleans up what a job stopped by close() staged, before the tasks\' resources are freed', async () => {
    const staged = `staging/local/${input.jobId}/data.csv`
    const calls: string[] = []
    const wf = new LocalWorkflow({
      ...baseDeps(
        tasks({
          StageFile: async () => (await store.putBytes(staged, 'x\n1\n'), {}),
          StartCrawler: () => new Promise(() => {}), // still running when csvlake is told to stop
        }),
      ),
      cleanUpDead: async (record) => {
        calls.push(`cleanUpDead ${record.jobId}`)
        await store.deletePrefix(`staging/${record.tenant}/${record.jobId}/`)
      },
      dispose: () => void calls.push('dispose'),
    })
    await wf.start(input)
    await vi.waitFor(async () => expect((await wf.describe(input.tenant, input.jobId)).steps.map((s) => s.name)).toContain('StartCrawler'))
    expect(await store.size(staged)).toBeDefined()
    await wf.close()
    expect(await store.size(staged)).toBeUndefined()
    expect(calls).toEqual([`cleanUpDead ${input.jobId}`, 'dispose'])
    const job = await wf.describe(input.tenant, input.jobId)
    expect(job.status).toBe('FAILED')
    expect(job.error?.message).toMatch(/shutting down/)
    // Nothing is left for the next start to recover either.
    expect(await workflow(tasks()).recover()).toBe(0)
  })

  it('tells its owner when a job has ended, once its record is final', async () => {
    const ended: JobRecord[] = []
    const wf = new LocalWorkflow({ ...baseDeps(tasks()), ended: async (r) => void ended.push(r) })
    await wf.start(input)
    await finished(wf)
    await wf.close()
    expect(ended.map((r) => [r.jobId, r.status])).toEqual([[input.jobId, 'SUCCEEDED']])
  })
})
