import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { describe, expect, it } from 'vitest'
import definition from '../../../../statemachines/ingest.asl.json' with { type: 'json' }
import type { IngestInput } from '../../ports/workflow.ts'
import { tenantId } from '../../tenant.ts'
import { FakeS3 } from '../fake/fake-s3.ts'
import { FakeS3ObjectStore } from '../fake/fake-s3-object-store.ts'
import { FakeStepFunctions } from '../fake/fake-step-functions.ts'
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
function backend(maxRunningPerTenant: number) {
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
  const replica = () => new StepFunctionsWorkflow({ sfn, stateMachineArn: sfn.stateMachineArn, store: new FakeS3ObjectStore(s3), names, now: () => new Date(now), maxRunningPerTenant })
  return { replica, store: new FakeS3ObjectStore(s3), release, advance: (ms: number) => (now += ms), stop: async () => (release(), sfn.stopAll()) }
}

describe('StepFunctionsWorkflow', () => {
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
