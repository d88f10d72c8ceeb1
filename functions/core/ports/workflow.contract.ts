import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { taskError } from '../ingest/execution-input.ts'
import { tenantId, type TenantId } from '../tenant.ts'
import type { IngestInput, JobRecord, Workflow } from './workflow.ts'

/**
 * What every Workflow does, whichever runs the state machine: one suite, run against LocalWorkflow
 * (the in-process runner) and StepFunctionsWorkflow over FakeStepFunctions, directly and behind the
 * SDK's SFN client. All run the real `statemachines/ingest.asl.json`; the suite answers its Task
 * states with AWS-shaped results (written from the API references, not recorded) and decides, per
 * job, whether it succeeds, fails, or holds until released.
 */
export type TaskHandlers = Record<string, (params: Record<string, unknown>) => Promise<unknown>>

export type WorkflowSubject = {
  workflow: Workflow
  /** Another replica over the same backend (a function scaled up elsewhere), if the backend has such. */
  replica?: () => Workflow
  close?: () => Promise<void>
}

export type WorkflowFactory = (deps: {
  /** The Task handlers of one execution, by job id. */
  tasksFor: (jobId: string) => TaskHandlers
  maxRunningPerTenant: number
}) => Promise<WorkflowSubject>

type Script = 'succeed' | 'fail' | 'hold'

const ME = tenantId('me')
const OTHER = tenantId('other')
const MAX_RUNNING = 2

/** Job ids sort newest first: a smaller number is a newer job. */
const jobId = (n: number) => `j_${String(n).padStart(32, '0')}`

function ingest(id: string, tenant: TenantId = ME): IngestInput {
  return {
    jobId: id,
    tenant,
    fileId: 'f_00000000000000000000000000000001',
    fileName: 'people.csv',
    table: 'people',
    mode: 'create',
    onError: 'fail',
    dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id', 'name'] },
  }
}

/** What the conversion wrote (S3 GetObject's Body, read back by ReadConversion). */
const OUTCOME = {
  columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }],
  rowsRead: 3,
  rowsLoaded: 2,
  rowsRejected: 1,
  rejected: [{ line: 3, column: null, value: '2,b,extra', message: 'Expected Number of Columns: 2 Found: 3' }],
  schemaKey: '[["id","bigint"],["name","string"]]',
  checkPredicate: 'true',
}

function scriptedTasks(script: () => Script, gate: () => Promise<void>): TaskHandlers {
  const ok = async () => ({})
  return {
    StageFile: async () => {
      if (script() === 'hold') await gate()
      return { ResponseBody: { kind: 'Job', status: { succeeded: 1 } }, StatusCode: 200, StatusText: 'OK' }
    },
    CreateClassifier: ok,
    CreateCrawler: ok,
    StartCrawler: ok,
    GetCrawler: async () => ({ Crawler: { Name: 'c', State: 'READY', LastCrawl: { Status: 'SUCCEEDED', LogGroup: '/aws-glue/crawlers', LogStream: 'c', MessagePrefix: 'm', StartTime: '2026-12-02T08:00:00.000Z' } } }),
    GetCrawledTable: async () => ({ Table: { Name: 't', DatabaseName: 'staging', StorageDescriptor: { Columns: OUTCOME.columns, Location: 's3://bucket/staging/' } } }),
    ConvertToParquet: async () => {
      if (script() === 'fail') {
        throw taskError('Csvlake.RowRejected', { code: 'ROW_REJECTED', message: 'Line 4: Expected Number of Columns: 2 Found: 3', line: 4, value: '4,d,extra' })
      }
      return { ResponseBody: { kind: 'Job', status: { succeeded: 1 } }, StatusCode: 200, StatusText: 'OK' }
    },
    ReadConversion: async () => ({ Body: JSON.stringify(OUTCOME), ContentType: 'application/json' }),
    ReadStageError: async () => {
      throw taskError('S3.NoSuchKeyException', { code: 'NoSuchKey', message: 'The specified key does not exist.' })
    },
    ReadConversionError: async () => {
      throw taskError('S3.NoSuchKeyException', { code: 'NoSuchKey', message: 'The specified key does not exist.' })
    },
    CreateParquetTable: ok,
    CheckParquet: async () => ({ QueryExecution: { QueryExecutionId: 'q', Status: { State: 'SUCCEEDED' } } }),
    CreateDatabase: ok,
    ReadTable: async () => {
      throw taskError('Glue.EntityNotFoundException', { code: 'NOT_FOUND', message: 'Table people not found.' })
    },
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
}

export function workflowContract(name: string, open: WorkflowFactory, backend: { replicas: boolean }): void {
  describe(`Workflow contract: ${name}`, () => {
    let subject: WorkflowSubject
    let workflow: Workflow
    const scripts = new Map<string, Script>()
    const gates = new Map<string, () => void>()
    const held = new Map<string, Promise<void>>()

    const release = (id: string) => gates.get(id)?.()
    const gate = (id: string) => {
      if (!held.has(id)) held.set(id, new Promise<void>((resolve) => gates.set(id, resolve)))
      return held.get(id)!
    }

    async function ended(tenant: TenantId, id: string, via: Workflow = workflow): Promise<JobRecord> {
      for (let i = 0; i < 1000; i++) {
        const job = await via.describe(tenant, id)
        if (job.status !== 'RUNNING') return job
        await new Promise((r) => setTimeout(r, 5))
      }
      throw new Error(`job ${id} did not end`)
    }

    beforeEach(async () => {
      scripts.clear()
      gates.clear()
      held.clear()
      subject = await open({
        tasksFor: (id) => scriptedTasks(() => scripts.get(id) ?? 'succeed', () => gate(id)),
        maxRunningPerTenant: MAX_RUNNING,
      })
      workflow = subject.workflow
    })
    afterEach(async () => {
      for (const id of gates.keys()) release(id)
      await subject.close?.()
    })

    it('starts a job RUNNING under its id, then answers it SUCCEEDED with the execution\'s output as its result', async () => {
      const started = await workflow.start(ingest(jobId(1)))
      expect(started).toMatchObject({ jobId: jobId(1), tenant: ME, status: 'RUNNING', input: ingest(jobId(1)), executionArn: expect.stringContaining(jobId(1)) })
      const job = await ended(ME, jobId(1))
      expect(job.status).toBe('SUCCEEDED')
      expect(job.result).toEqual({
        table: 'people',
        columns: [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }],
        rowsRead: 3,
        rowsLoaded: 2,
        rowsRejected: 1,
        rejected: OUTCOME.rejected,
        tableRowCount: 2,
      })
      expect(job.endedAt).toEqual(expect.any(String))
      const steps = job.steps.map((s) => [s.name, s.status])
      expect(steps.slice(0, 2)).toEqual([['ChooseFormat', 'SUCCEEDED'], ['StageFile', 'SUCCEEDED']])
      expect(steps.at(-1)).toEqual(['IngestSucceeded', 'SUCCEEDED'])
      expect(steps).toEqual(expect.arrayContaining([['ConvertToParquet', 'SUCCEEDED'], ['CreateTable', 'SUCCEEDED'], ['CleanUp', 'SUCCEEDED']]))
    })

    it('answers a failed job FAILED with the error its Task gave, line included, the failing state CAUGHT, and no result', async () => {
      scripts.set(jobId(1), 'fail')
      await workflow.start(ingest(jobId(1)))
      const job = await ended(ME, jobId(1))
      expect(job.status).toBe('FAILED')
      expect(job.error).toEqual({ code: 'ROW_REJECTED', message: 'Line 4: Expected Number of Columns: 2 Found: 3', line: 4, value: '4,d,extra' })
      expect(job.result).toBeUndefined()
      expect(job.steps.find((s) => s.name === 'ConvertToParquet')).toMatchObject({ status: 'CAUGHT', error: 'Line 4: Expected Number of Columns: 2 Found: 3' })
      expect(job.steps.at(-1)).toMatchObject({ name: 'IngestFailed' })
    })

    it('answers NOT_FOUND for another tenant\'s job and for an id never started', async () => {
      await workflow.start(ingest(jobId(1), OTHER))
      await expect(workflow.describe(ME, jobId(1))).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(workflow.describe(ME, jobId(9))).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await ended(OTHER, jobId(1))
    })

    it('is idempotent by job id: starting a job again answers the first start and runs it once', async () => {
      scripts.set(jobId(1), 'hold')
      const first = await workflow.start(ingest(jobId(1)))
      const again = await workflow.start(ingest(jobId(1)))
      expect(again.jobId).toBe(first.jobId)
      expect(again.executionArn).toBe(first.executionArn)
      release(jobId(1))
      expect((await ended(ME, jobId(1))).status).toBe('SUCCEEDED')
      expect((await workflow.list(ME, { limit: 10 })).jobs).toHaveLength(1)
    })

    it('lists only the tenant\'s jobs, newest first, a page at a time', async () => {
      for (const n of [3, 2, 1]) {
        await workflow.start(ingest(jobId(n)))
        await ended(ME, jobId(n))
      }
      await workflow.start(ingest(jobId(4), OTHER))
      const first = await workflow.list(ME, { limit: 2 })
      expect(first.jobs.map((j) => j.jobId)).toEqual([jobId(1), jobId(2)])
      expect(first.after).toBe(jobId(2))
      const rest = await workflow.list(ME, { limit: 2, after: first.after! })
      expect(rest.jobs.map((j) => j.jobId)).toEqual([jobId(3)])
      expect(rest.after).toBeUndefined()
      expect(rest.jobs[0]).toMatchObject({ status: 'SUCCEEDED', result: { table: 'people' } })
      await ended(OTHER, jobId(4))
    })

    it('refuses a tenant more running jobs than its limit, not another tenant, and frees the slot when one ends', async () => {
      for (const n of [1, 2, 3]) scripts.set(jobId(n), 'hold')
      await workflow.start(ingest(jobId(1)))
      await workflow.start(ingest(jobId(2)))
      await expect(workflow.start(ingest(jobId(3)))).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
      // Another replica counts the same jobs.
      if (subject.replica) await expect(subject.replica().start(ingest(jobId(3)))).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
      scripts.set(jobId(5), 'hold')
      await workflow.start(ingest(jobId(5), OTHER))
      release(jobId(1))
      await ended(ME, jobId(1))
      await expect(workflow.start(ingest(jobId(3)))).resolves.toMatchObject({ status: 'RUNNING' })
      for (const n of [2, 3, 5]) release(jobId(n))
      await ended(ME, jobId(2))
      await ended(ME, jobId(3))
      await ended(OTHER, jobId(5))
    })

    if (backend.replicas) {
      it('answers for a job from another replica that never saw it start (a function scaled up from zero)', async () => {
        await workflow.start(ingest(jobId(1)))
        const elsewhere = subject.replica!()
        const job = await ended(ME, jobId(1), elsewhere)
        expect(job).toMatchObject({ status: 'SUCCEEDED', result: { rowsLoaded: 2 } })
      })
    }
  })
}
