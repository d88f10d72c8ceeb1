import type { StateMachineDefinition } from 'aws-local-stepfunctions'
import { describe, expect, it } from 'vitest'
import { FakeStepFunctions } from './fake-step-functions.ts'

// A small machine: the behaviours under test are Step Functions' own (written from its API reference, not recorded).
const definition = {
  StartAt: 'Work',
  States: {
    Work: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { 'Key.$': '$.key' }, ResultSelector: { 'body.$': '$.Body' }, ResultPath: '$.got', Next: 'Done' },
    Done: { Type: 'Succeed', OutputPath: '$.got' },
  },
} as unknown as StateMachineDefinition

function sfn(work: (p: Record<string, unknown>) => Promise<unknown>) {
  return new FakeStepFunctions(definition, () => ({ Work: work }))
}

describe('FakeStepFunctions', () => {
  it('starts an execution once per name: the same input answers the first start, another input is ExecutionAlreadyExists', async () => {
    let runs = 0
    const fake = sfn(async () => ((runs += 1), { Body: 'x' }))
    const arn = fake.stateMachineArn
    const first = await fake.startExecution({ stateMachineArn: arn, name: 'j_1', input: '{"key":"a"}' })
    const again = await fake.startExecution({ stateMachineArn: arn, name: 'j_1', input: '{"key":"a"}' })
    expect(again).toEqual(first)
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:csvlake-ingest:j_1')
    await expect(fake.startExecution({ stateMachineArn: arn, name: 'j_1', input: '{"key":"b"}' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' })
    await expect(fake.startExecution({ stateMachineArn: arn, name: 'has space', input: '{}' })).rejects.toMatchObject({ name: 'InvalidName' })
    await fake.settled()
    expect(runs).toBe(1)
  })

  it('describes a success with its output, and a failure with error and cause and no output', async () => {
    const ok = sfn(async () => ({ Body: 'hello' }))
    const { executionArn } = await ok.startExecution({ stateMachineArn: ok.stateMachineArn, name: 'j_1', input: '{"key":"a"}' })
    await ok.settled()
    expect(await ok.describeExecution({ executionArn })).toMatchObject({ status: 'SUCCEEDED', output: '{"body":"hello"}', stopDate: expect.any(Date) })
    const bad = sfn(async () => {
      throw Object.assign(new Error('The specified key does not exist.'), { name: 'S3.NoSuchKeyException' })
    })
    const failed = await bad.startExecution({ stateMachineArn: bad.stateMachineArn, name: 'j_2', input: '{"key":"a"}' })
    await bad.settled()
    const described = await bad.describeExecution({ executionArn: failed.executionArn })
    expect(described).toMatchObject({ status: 'FAILED', error: 'S3.NoSuchKeyException', cause: 'The specified key does not exist.' })
    expect(described.output).toBeUndefined()
    await expect(bad.describeExecution({ executionArn: `${failed.executionArn}x` })).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' })
  })

  it('pages the history forward by opaque tokens, and refuses a token it did not give out', async () => {
    const fake = sfn(async () => ({ Body: 'x' }))
    const { executionArn } = await fake.startExecution({ stateMachineArn: fake.stateMachineArn, name: 'j_1', input: '{"key":"a"}' })
    await fake.settled()
    const types: string[] = []
    let nextToken: string | undefined
    let pages = 0
    do {
      const page = await fake.getExecutionHistory({ executionArn, maxResults: 2, ...(nextToken ? { nextToken } : {}) })
      expect(page.events.length).toBeLessThanOrEqual(2)
      types.push(...page.events.map((e) => e.type))
      nextToken = page.nextToken
      pages++
    } while (nextToken)
    expect(pages).toBeGreaterThan(2)
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded'])
    await expect(fake.getExecutionHistory({ executionArn, nextToken: 'bogus' })).rejects.toMatchObject({ name: 'InvalidToken' })
  })
})
