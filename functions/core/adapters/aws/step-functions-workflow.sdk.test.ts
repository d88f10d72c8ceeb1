import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  SFN,
  SFNServiceException,
  StartExecutionCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn'
import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { mockClient } from 'aws-sdk-client-mock'
import { describe, expect, it } from 'vitest'
import definition from '../../../../statemachines/ingest.asl.json' with { type: 'json' }
import { AppError } from '../../errors.ts'
import { workflowContract } from '../../ports/workflow.contract.ts'
import type { IngestInput } from '../../ports/workflow.ts'
import { tenantId } from '../../tenant.ts'
import { FakeS3 } from '../fake/fake-s3.ts'
import { fakeS3ObjectStore } from '../fake/fake-s3-object-store.ts'
import { FakeStepFunctions } from '../fake/fake-step-functions.ts'
import { sfnSdkClient } from './sfn-sdk.ts'
import type { StepFunctionsApi } from './step-functions-api.ts'
import { StepFunctionsWorkflow } from './step-functions-workflow.ts'

/*
 * StepFunctionsWorkflow over the SDK's own `SFN` client (each method builds its command and calls
 * `send`), `send` answered by aws-sdk-client-mock: routed to a FakeStepFunctions for the contract
 * suite, canned otherwise. The responses are written from the Step Functions API reference, not
 * recorded; nothing here reaches AWS. No HTTP: the SDK's middleware (serialization, signing,
 * its retries of a throttled call) is not run.
 */

const names = { bucket: 'bucket', crawlerRole: 'arn:aws:iam::123456789012:role/csvlake-crawler', workGroup: 'csvlake' }
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

/** An SDK SFN client whose every command is answered by `fake`. */
function sdkSfnOver(fake: FakeStepFunctions): StepFunctionsApi {
  const client = new SFN({ region: 'us-east-1', credentials })
  const mock = mockClient(client)
  mock.on(StartExecutionCommand).callsFake((input) => fake.startExecution(input))
  mock.on(DescribeExecutionCommand).callsFake((input) => fake.describeExecution(input))
  mock.on(GetExecutionHistoryCommand).callsFake((input) => fake.getExecutionHistory(input))
  return client
}

workflowContract(
  'StepFunctionsWorkflow over the SFN SDK client, answered by FakeStepFunctions; responses written from the Step Functions API reference',
  async ({ tasksFor, maxRunningPerTenant }) => {
    const s3 = new FakeS3()
    const fake = new FakeStepFunctions(definition as unknown as StateMachineDefinition, (input) => tasksFor(String(input.jobId)))
    // Each replica has its own SDK client, as another process would.
    const replica = () => new StepFunctionsWorkflow({ sfn: sdkSfnOver(fake), stateMachineArn: fake.stateMachineArn, store: fakeS3ObjectStore(s3), names, now: () => new Date(), maxRunningPerTenant })
    return { workflow: replica(), replica, close: () => fake.stopAll() }
  },
  { replicas: true },
)

const me = tenantId('me')
const JOB = 'j_00000000000000000000000000000001'
const input: IngestInput = {
  jobId: JOB,
  tenant: me,
  fileId: 'f_00000000000000000000000000000001',
  fileName: 'people.csv',
  table: 'people',
  mode: 'create',
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id', 'name'] },
}
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:csvlake-ingest'
const EXECUTION = `arn:aws:states:us-east-1:123456789012:execution:csvlake-ingest:${JOB}`
const STARTED = new Date('2026-12-02T08:00:00Z')

/** A workflow over an SDK client whose commands the test answers (canned), and the mock to answer them with. */
function canned(stateMachineArn = MACHINE) {
  const client = sfnSdkClient({ region: stateMachineArn.split(':')[3], credentials })
  const mock = mockClient(client as SFN)
  const workflow = new StepFunctionsWorkflow({ sfn: client, stateMachineArn, store: fakeS3ObjectStore(new FakeS3()), names, now: () => STARTED })
  return { mock, workflow }
}

/**
 * A history as GetExecutionHistory answers it with includeExecutionData false (no inputs and
 * outputs): ids from 1, each event's previousEventId the one before, timestamps a second apart.
 */
function history(events: Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>[]): HistoryEvent[] {
  return events.map((e, i) => ({ id: i + 1, previousEventId: i, timestamp: new Date(STARTED.getTime() + i * 1000), ...e }))
}

const entered = (type: string, name: string) => ({ type: `${type}StateEntered` as HistoryEvent['type'], stateEnteredEventDetails: { name } })
const exited = (type: string, name: string) => ({ type: `${type}StateExited` as HistoryEvent['type'], stateExitedEventDetails: { name } })
const scheduled = (resourceType: string, resource: string) => ({ type: 'TaskScheduled' as const, taskScheduledEventDetails: { resourceType, resource, region: 'us-east-1', parameters: '{}' } })
const taskStarted = (resourceType: string, resource: string) => ({ type: 'TaskStarted' as const, taskStartedEventDetails: { resourceType, resource } })
const taskSucceeded = (resourceType: string, resource: string) => ({ type: 'TaskSucceeded' as const, taskSucceededEventDetails: { resourceType, resource } })
const task = (name: string, resourceType: string, resource: string) => [entered('Task', name), scheduled(resourceType, resource), taskStarted(resourceType, resource), taskSucceeded(resourceType, resource), exited('Task', name)]

/** A run with a retried task and a Choice loop polled twice, ending in IngestSucceeded. */
const SUCCEEDED_HISTORY = history([
  { type: 'ExecutionStarted', executionStartedEventDetails: { roleArn: 'arn:aws:iam::123456789012:role/csvlake-ingest' } },
  entered('Task', 'StageFile'),
  scheduled('eks', 'runJob.sync'),
  taskStarted('eks', 'runJob.sync'),
  { type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'eks', resource: 'runJob.sync', error: 'EKS.500', cause: 'The cluster did not answer' } },
  scheduled('eks', 'runJob.sync'),
  taskStarted('eks', 'runJob.sync'),
  taskSucceeded('eks', 'runJob.sync'),
  exited('Task', 'StageFile'),
  ...task('StartCrawler', 'aws-sdk:glue', 'startCrawler'),
  entered('Wait', 'WaitForCrawler'),
  exited('Wait', 'WaitForCrawler'),
  ...task('GetCrawler', 'aws-sdk:glue', 'getCrawler'),
  entered('Choice', 'IsCrawlerReady'),
  exited('Choice', 'IsCrawlerReady'),
  entered('Wait', 'WaitForCrawler'),
  exited('Wait', 'WaitForCrawler'),
  ...task('GetCrawler', 'aws-sdk:glue', 'getCrawler'),
  entered('Choice', 'IsCrawlerReady'),
  exited('Choice', 'IsCrawlerReady'),
  entered('Succeed', 'IngestSucceeded'),
  exited('Succeed', 'IngestSucceeded'),
  { type: 'ExecutionSucceeded', executionSucceededEventDetails: {} },
])

const OUTPUT = { table: 'people', columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }], rowsRead: 2, rowsLoaded: 2, rowsRejected: 0, rejected: [], tableRowCount: 2 }

const described = (fields: Partial<DescribeExecutionOutput>): DescribeExecutionOutput => ({
  executionArn: EXECUTION,
  stateMachineArn: MACHINE,
  name: JOB,
  status: 'RUNNING',
  startDate: STARTED,
  ...fields,
  $metadata: {},
} as DescribeExecutionOutput)

const throttled = () => new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' })

describe('StepFunctionsWorkflow over the SFN SDK client, canned responses written from the Step Functions API reference', () => {
  it('builds the same steps from a history paged over several nextTokens as from one page', async () => {
    const succeeded = described({ status: 'SUCCEEDED', stopDate: new Date(STARTED.getTime() + 60_000), output: JSON.stringify(OUTPUT) })

    const onePage = canned()
    onePage.mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED })
    onePage.mock.on(DescribeExecutionCommand).resolves(succeeded)
    onePage.mock.on(GetExecutionHistoryCommand).resolves({ events: SUCCEEDED_HISTORY })
    await onePage.workflow.start(input)
    const whole = await onePage.workflow.describe(me, JOB)

    // Four events a page; the tokens are opaque to the caller (here: where the next page starts).
    const paged = canned()
    paged.mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED })
    paged.mock.on(DescribeExecutionCommand).resolves(succeeded)
    paged.mock.on(GetExecutionHistoryCommand).callsFake((req: { nextToken?: string }) => {
      const from = req.nextToken ? Number(req.nextToken.replace('AAAA-page-', '')) : 0
      const next = from + 4
      return { events: SUCCEEDED_HISTORY.slice(from, next), ...(next < SUCCEEDED_HISTORY.length ? { nextToken: `AAAA-page-${next}` } : {}) }
    })
    await paged.workflow.start(input)
    const fromPages = await paged.workflow.describe(me, JOB)

    const tokens = paged.mock.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input.nextToken)
    expect(tokens).toEqual([undefined, ...Array.from({ length: Math.ceil(SUCCEEDED_HISTORY.length / 4) - 1 }, (_, i) => `AAAA-page-${(i + 1) * 4}`)])
    expect(tokens.length).toBeGreaterThan(2)
    expect(fromPages.steps).toEqual(whole.steps)
    expect(fromPages).toMatchObject({ status: 'SUCCEEDED', result: { table: 'people', rowsLoaded: 2 } })
    expect(whole.steps.map((s) => [s.name, s.type, s.status, s.passes, s.retries])).toEqual([
      ['StageFile', 'Task', 'SUCCEEDED', undefined, 1],
      ['StartCrawler', 'Task', 'SUCCEEDED', undefined, undefined],
      ['WaitForCrawler', 'Wait', 'SUCCEEDED', 2, undefined],
      ['GetCrawler', 'Task', 'SUCCEEDED', 2, undefined],
      ['IsCrawlerReady', 'Choice', 'SUCCEEDED', 2, undefined],
      ['IngestSucceeded', 'Succeed', 'SUCCEEDED', undefined, undefined],
    ])
  })

  it('answers the existing job when StartExecution says an execution of the same name already exists', async () => {
    const { mock, workflow } = canned()
    mock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${EXECUTION}'`, $metadata: { httpStatusCode: 400 } }))
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'RUNNING' }))
    mock.on(GetExecutionHistoryCommand).resolves({ events: history([{ type: 'ExecutionStarted', executionStartedEventDetails: {} }, entered('Task', 'StageFile'), scheduled('eks', 'runJob.sync')]) })
    const job = await workflow.start(input)
    expect(job).toMatchObject({ jobId: JOB, status: 'RUNNING', executionArn: EXECUTION, steps: [{ name: 'StageFile', status: 'RUNNING' }] })
    expect(mock.commandCalls(StartExecutionCommand)).toHaveLength(1)
    expect(mock.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([EXECUTION])
  })

  it('answers AppError UNAVAILABLE naming Step Functions when a ThrottlingException persists', async () => {
    const { mock, workflow } = canned()
    mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED })
    mock.on(DescribeExecutionCommand).rejects(throttled())
    await workflow.start(input)
    const read = workflow.describe(me, JOB)
    await expect(read).rejects.toBeInstanceOf(AppError)
    await expect(read).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('Step Functions') })

    const other = canned()
    other.mock.on(StartExecutionCommand).rejects(throttled())
    other.mock.on(DescribeExecutionCommand).rejects(throttled())
    await expect(other.workflow.start(input)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('Step Functions') })
    // Nobody knows yet whether it started: the job stays RUNNING until Step Functions can say.
    other.mock.on(DescribeExecutionCommand).rejects(throttled())
    await expect(other.workflow.describe(me, JOB)).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('answers the error and cause of a FAILED execution', async () => {
    const { mock, workflow } = canned()
    const cause = JSON.stringify({ code: 'ROW_REJECTED', message: 'Line 4: Expected Number of Columns: 2 Found: 3', line: 4, value: '4,d,extra' })
    mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED })
    mock.on(DescribeExecutionCommand).resolves(described({ status: 'FAILED', stopDate: new Date(STARTED.getTime() + 30_000), error: 'Csvlake.RowRejected', cause }))
    mock.on(GetExecutionHistoryCommand).resolves({
      events: history([
        { type: 'ExecutionStarted', executionStartedEventDetails: {} },
        entered('Task', 'ConvertToParquet'),
        scheduled('eks', 'runJob.sync'),
        { type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'eks', resource: 'runJob.sync', error: 'Csvlake.RowRejected', cause } },
        exited('Task', 'ConvertToParquet'),
        ...task('CleanUpAfterFailure', 'aws-sdk:glue', 'deleteCrawler'),
        entered('Fail', 'IngestFailed'),
        { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Csvlake.RowRejected', cause } },
      ]),
    })
    await workflow.start(input)
    const job = await workflow.describe(me, JOB)
    expect(job).toMatchObject({
      status: 'FAILED',
      endedAt: '2026-12-02T08:00:30.000Z',
      error: { code: 'ROW_REJECTED', message: 'Line 4: Expected Number of Columns: 2 Found: 3', line: 4, value: '4,d,extra' },
    })
    expect(job.steps.find((s) => s.name === 'ConvertToParquet')).toMatchObject({ status: 'CAUGHT', error: 'Line 4: Expected Number of Columns: 2 Found: 3' })
  })

  it('links every record to its execution in the Step Functions console, in the region of the ARN (eu-west-1)', async () => {
    const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest'
    const execution = `arn:aws:states:eu-west-1:123456789012:execution:csvlake-ingest:${JOB}`
    const url = `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${execution}`
    const { mock, workflow } = canned(machine)
    mock.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: STARTED })
    mock.on(DescribeExecutionCommand).resolves(described({ executionArn: execution, stateMachineArn: machine, status: 'RUNNING' }))
    mock.on(GetExecutionHistoryCommand).resolves({ events: history([{ type: 'ExecutionStarted', executionStartedEventDetails: {} }]) })
    expect((await workflow.start(input)).consoleUrl).toBe(url)
    expect((await workflow.describe(me, JOB)).consoleUrl).toBe(url)
    expect((await workflow.list(me, { limit: 10 })).jobs.map((j) => j.consoleUrl)).toEqual([url])
  })

  it('keeps the execution ARN StartExecution answers, not the one derived before the call', async () => {
    const answered = `arn:aws:states:us-east-1:123456789012:execution:csvlake-ingest-v2:${JOB}`
    const { mock, workflow } = canned()
    mock.on(StartExecutionCommand).resolves({ executionArn: answered, startDate: STARTED })
    mock.on(DescribeExecutionCommand).resolves(described({ executionArn: answered, status: 'RUNNING' }))
    mock.on(GetExecutionHistoryCommand).resolves({ events: [] })
    expect((await workflow.start(input)).executionArn).toBe(answered)
    expect(await workflow.describe(me, JOB)).toMatchObject({ executionArn: answered, consoleUrl: expect.stringContaining(answered) })
    expect(mock.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([answered])
  })

  it('answers AppError UNAVAILABLE saying what is missing when DescribeExecution has no status', async () => {
    const { mock, workflow } = canned()
    mock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED })
    mock.on(DescribeExecutionCommand).resolves(described({ status: undefined }))
    mock.on(GetExecutionHistoryCommand).resolves({ events: [] })
    await workflow.start(input)
    await expect(workflow.describe(me, JOB)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/Step Functions .*status/) })
  })
})
