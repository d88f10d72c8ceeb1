import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { describe, expect, it } from 'vitest'
import definition from '../../../../statemachines/ingest.asl.json' with { type: 'json' }
import { writeJson } from '../../json-records.ts'
import { keys } from '../../keys.ts'
import type { IngestInput, JobRecord } from '../../ports/workflow.ts'
import { tenantId } from '../../tenant.ts'
import { FakeS3 } from '../fake/fake-s3.ts'
import { fakeS3ObjectStore } from '../fake/fake-s3-object-store.ts'
import { FakeStepFunctions } from '../fake/fake-step-functions.ts'
import { executionArnOf, type StepFunctionsApi } from './step-functions-api.ts'
import { StepFunctionsWorkflow } from './step-functions-workflow.ts'

const names = { bucket: 'bucket', crawlerRole: 'arn:aws:iam::123456789012:role/csvlake-crawler', workGroup: 'csvlake' }
const me = tenantId('me')
const input = (n: number): IngestInput => ({
  jobId: `j_${String(n).padStart(32, '0')}`,
  tenant: me,
  fileId: 'f_00000000000000000000000000000001',
  fileName: 'a.csv',
  table: 'a',
  mode: 'create',
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['x'] },
})

/** Executions that never get past StageFile until released: they hold their tenant's slot. */
function backend(maxRunningPerTenant: number, wrap: (sfn: FakeStepFunctions) => StepFunctionsApi = (sfn) => sfn) {
  let release!: () => void
  const held = new Promise<void>((r) => (release = r))
  const s3 = new FakeS3()
  let now = Date.parse('2026-12-02T08:00:00Z')
  // Every other Task fails at once (the job then ends FAILED through its clean-up): no call leaves the process.
  const refuse = async () => {
    throw Object.assign(new Error('not part of this test'), { name: 'Test.NotHere' })
  }
  const tasks = Object.fromEntries(Object.entries(definition.States).filter(([, s]) => s.Type === 'Task').map(([name]) => [name, refuse]))
  const sfn = new FakeStepFunctions(definition as unknown as StateMachineDefinition, () => ({ ...tasks, StageFile: async () => held.then(() => ({})) }))
  const api = wrap(sfn)
  const replica = () => new StepFunctionsWorkflow({ sfn: api, stateMachineArn: sfn.stateMachineArn, store: fakeS3ObjectStore(s3), names, now: () => new Date(now), maxRunningPerTenant })
  return { replica, sfn, store: fakeS3ObjectStore(s3), release, advance: (ms: number) => (now += ms), stop: async () => (release(), sfn.stopAll()) }
}

/** The fake, with one call answered otherwise (a fault Step Functions or the network can give). */
function withFault(sfn: FakeStepFunctions, fault: Partial<StepFunctionsApi>): StepFunctionsApi {
  return {
    startExecution: (req) => sfn.startExecution(req),
    describeExecution: (req) => sfn.describeExecution(req),
    getExecutionHistory: (req) => sfn.getExecutionHistory(req),
    ...fault,
  }
}

const fault = (name: string) => Object.assign(new Error(name), { name })

/** The index record a replica writes before StartExecution, as start() writes it. */
function indexRecord(sfn: FakeStepFunctions, i: IngestInput, startedAt: string): JobRecord {
  const executionArn = executionArnOf(sfn.stateMachineArn, i.jobId)
  return { jobId: i.jobId, tenant: i.tenant, input: i, status: 'RUNNING', startedAt, steps: [], executionArn }
}

describe('StepFunctionsWorkflow', () => {
  it('fails a job whose index record was written but whose execution never started, once past the start window, and frees its slot', async () => {
    const b = backend(1)
    // A replica claimed the slot, wrote the index record, and died before StartExecution.
    const orphan = input(9)
    await b.store.putBytes('job-slots/me/0', JSON.stringify({ jobId: orphan.jobId, at: Date.parse('2026-12-02T08:00:00Z') }))
    await writeJson(b.store, keys.job(me, orphan.jobId), indexRecord(b.sfn, orphan, '2026-12-02T08:00:00.000Z'), { ifNoneMatch: '*' })
    await expect(b.replica().describe(me, orphan.jobId)).resolves.toMatchObject({ status: 'RUNNING' })
    await expect(b.replica().start(input(1))).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
    b.advance(61_000)
    await expect(b.replica().describe(me, orphan.jobId)).resolves.toMatchObject({ status: 'FAILED', error: { code: 'ABORTED', message: expect.stringMatching(/submit .* again/i) } })
    await expect(b.replica().start(input(1))).resolves.toMatchObject({ status: 'RUNNING' })
    await b.stop()
  })

  it('keeps a job RUNNING when StartExecution failed in transit after Step Functions accepted it', async () => {
    const b = backend(1, (sfn) =>
      withFault(sfn, {
        startExecution: async (req) => {
          await sfn.startExecution(req)
          throw fault('TimeoutError')
        },
      }),
    )
    await expect(b.replica().start(input(1))).resolves.toMatchObject({ status: 'RUNNING' })
    await expect(b.replica().describe(me, input(1).jobId)).resolves.toMatchObject({ status: 'RUNNING' })
    expect(b.sfn.calls.StartExecution).toBe(1)
    // Its execution runs: it still holds the tenant's one slot.
    await expect(b.replica().start(input(2))).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
    await b.stop()
  })

  it('fails a job and frees its slot when StartExecution failed and no execution exists', async () => {
    const b = backend(1, (sfn) => withFault(sfn, { startExecution: async (req) => (req.name === input(1).jobId ? Promise.reject(fault('TimeoutError')) : sfn.startExecution(req)) }))
    await expect(b.replica().start(input(1))).rejects.toMatchObject({ name: 'TimeoutError' })
    await expect(b.replica().describe(me, input(1).jobId)).resolves.toMatchObject({ status: 'FAILED', error: { code: 'ABORTED' } })
    await expect(b.replica().start(input(2))).resolves.toMatchObject({ status: 'RUNNING' })
    await b.stop()
  })

  it('lists a job whose execution cannot be read right now (throttled) from its index record', async () => {
    let throttle = false
    const b = backend(2, (sfn) => withFault(sfn, { describeExecution: async (req) => (throttle && req.executionArn.endsWith(input(1).jobId) ? Promise.reject(fault('ThrottlingException')) : sfn.describeExecution(req)) }))
    await b.replica().start(input(1))
    await b.replica().start(input(2))
    throttle = true
    const page = await b.replica().list(me, { limit: 10 })
    expect(page.jobs.map((j) => [j.jobId, j.status])).toEqual([
      [input(1).jobId, 'RUNNING'],
      [input(2).jobId, 'RUNNING'],
    ])
    await b.stop()
  })

  it('reads the history without state inputs and outputs (the steps need only names, types and errors)', async () => {
    const asked: (boolean | undefined)[] = []
    const b = backend(1, (sfn) =>
      withFault(sfn, {
        getExecutionHistory: (req) => {
          asked.push(req.includeExecutionData)
          return sfn.getExecutionHistory(req)
        },
      }),
    )
    await b.replica().start(input(1))
    await b.replica().describe(me, input(1).jobId)
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every((v) => v === false)).toBe(true)
    await b.stop()
  })

  it('gives the last slot to one of two replicas starting at once', async () => {
    const b = backend(1)
    const results = await Promise.allSettled([b.replica().start(input(1)), b.replica().start(input(2))])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['TOO_MANY_REQUESTS'])
    await b.stop()
  })

  it('counts a slot claimed by a job still being started, and takes it over once its starter is long gone', async () => {
    const b = backend(1)
    // A replica claimed the slot and died before writing the job's index record.
    await b.store.putBytes('job-slots/me/0', JSON.stringify({ jobId: input(9).jobId, at: Date.parse('2026-12-02T08:00:00Z') }))
    await expect(b.replica().start(input(1))).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
    b.advance(61_000)
    await expect(b.replica().start(input(1))).resolves.toMatchObject({ status: 'RUNNING' })
    await b.stop()
  })

  it('frees the slot of a job that ended when a replica reads it, so the tenant can start again', async () => {
    const b = backend(1)
    await b.replica().start(input(1))
    b.release()
    const elsewhere = b.replica()
    for (let i = 0; i < 200 && (await elsewhere.describe(me, input(1).jobId)).status === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 5))
    await expect(b.replica().start(input(2))).resolves.toMatchObject({ status: 'RUNNING' })
    await b.stop()
  })
})
