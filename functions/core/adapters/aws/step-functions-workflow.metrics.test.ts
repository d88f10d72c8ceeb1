import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { describe, expect, it } from 'vitest'
import definition from '../../../../statemachines/ingest.asl.json' with { type: 'json' }
import type { IngestInput, JobRecord } from '../../ports/workflow.ts'
import { tenantId } from '../../tenant.ts'
import { FakeS3 } from '../fake/fake-s3.ts'
import { fakeS3ObjectStore } from '../fake/fake-s3-object-store.ts'
import { FakeStepFunctions } from '../fake/fake-step-functions.ts'
import { StepFunctionsWorkflow } from './step-functions-workflow.ts'

const names = { bucket: 'bucket', crawlerRole: 'arn:aws:iam::123456789012:role/csvlake-crawler', workGroup: 'csvlake' }
const input: IngestInput = {
  jobId: `j_${'0'.repeat(31)}1`,
  tenant: tenantId('me'),
  fileId: 'f_00000000000000000000000000000001',
  fileName: 'a.csv',
  table: 'a',
  mode: 'create',
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['x'] },
}

describe('StepFunctionsWorkflow tells /metrics of each ended job (over FakeStepFunctions running the real ASL)', () => {
  it('once across replicas: only the one whose conditional write keeps the final record counts it', async () => {
    // Every Task fails at once: the execution ends FAILED through its clean-up, with no call leaving the process.
    const refuse = async () => {
      throw Object.assign(new Error('not part of this test'), { name: 'Test.NotHere' })
    }
    const tasks = Object.fromEntries(Object.entries(definition.States).filter(([, s]) => s.Type === 'Task').map(([name]) => [name, refuse]))
    const sfn = new FakeStepFunctions(definition as unknown as StateMachineDefinition, () => tasks)
    const store = fakeS3ObjectStore(new FakeS3())
    const ended: JobRecord[] = []
    const replica = () => new StepFunctionsWorkflow({ sfn, stateMachineArn: sfn.stateMachineArn, store, names, now: () => new Date(), ended: (r) => void ended.push(r) })
    const [a, b, c] = [replica(), replica(), replica()]
    const started = await a.start(input)
    for (let i = 0; (await sfn.describeExecution({ executionArn: started.executionArn })).status === 'RUNNING'; i++) {
      if (i > 500) throw new Error('the execution did not end')
      await new Promise((r) => setTimeout(r, 10))
    }
    // Three replicas read the ended job at once, then again: one final record, one count.
    const seen = await Promise.all([a.describe(input.tenant, input.jobId), b.describe(input.tenant, input.jobId), c.describe(input.tenant, input.jobId)])
    await a.describe(input.tenant, input.jobId)
    expect(seen.map((r) => r.status)).toEqual(['FAILED', 'FAILED', 'FAILED'])
    expect(ended.map((r) => [r.jobId, r.status])).toEqual([[input.jobId, 'FAILED']])
    expect(ended[0]!.endedAt).toBeDefined()
    await sfn.stopAll()
  })
})
