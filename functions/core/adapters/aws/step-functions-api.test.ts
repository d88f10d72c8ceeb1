import { describe, expect, it } from 'vitest'
import { executionArnOf, executionConsoleUrl } from './step-functions-api.ts'

describe('executionArnOf', () => {
  it('names the execution under its state machine, as Step Functions forms execution ARNs', () => {
    expect(executionArnOf('arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest', 'j_1')).toBe('arn:aws:states:eu-west-1:123456789012:execution:csvlake-ingest:j_1')
  })

  it('leaves out the version or alias of a qualified state machine ARN', () => {
    expect(executionArnOf('arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest:PROD', 'j_1')).toBe('arn:aws:states:eu-west-1:123456789012:execution:csvlake-ingest:j_1')
  })
})

describe('executionConsoleUrl', () => {
  it("opens the execution's page in the console of the ARN's region", () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:execution:csvlake-ingest:j_1'
    expect(executionConsoleUrl(arn)).toBe(`https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${arn}`)
  })

  it('has no link for a local execution id or an ARN outside the aws partition', () => {
    expect(executionConsoleUrl('local:j_1')).toBeUndefined()
    expect(executionConsoleUrl('arn:aws-cn:states:cn-north-1:123456789012:execution:csvlake-ingest:j_1')).toBeUndefined()
    expect(executionConsoleUrl('arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest')).toBeUndefined()
  })
})
