import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import definition from '../../../../statemachines/ingest.asl.json' with { type: 'json' }
import { workflowContract } from '../../ports/workflow.contract.ts'
import { FakeS3 } from '../fake/fake-s3.ts'
import { fakeS3ObjectStore } from '../fake/fake-s3-object-store.ts'
import { FakeStepFunctions } from '../fake/fake-step-functions.ts'
import { StepFunctionsWorkflow } from './step-functions-workflow.ts'

const names = { bucket: 'bucket', crawlerRole: 'arn:aws:iam::123456789012:role/csvlake-crawler', workGroup: 'csvlake' }

workflowContract(
  'StepFunctionsWorkflow over FakeStepFunctions and an S3-like store',
  async ({ tasksFor, maxRunningPerTenant }) => {
    const s3 = new FakeS3()
    const sfn = new FakeStepFunctions(definition as unknown as StateMachineDefinition, (input) => tasksFor(String(input.jobId)))
    const replica = () => new StepFunctionsWorkflow({ sfn, stateMachineArn: sfn.stateMachineArn, store: fakeS3ObjectStore(s3), names, now: () => new Date(), maxRunningPerTenant })
    return { workflow: replica(), replica, close: () => sfn.stopAll() }
  },
  { replicas: true },
)
