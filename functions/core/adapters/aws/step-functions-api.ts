/*
 * The part of the Step Functions API the ingest workflow uses (StartExecution, DescribeExecution,
 * GetExecutionHistory), with the request and response shapes and errors as the AWS SDK for
 * JavaScript v3 has them (the aggregated `SFN` client's methods; `sfn-sdk.ts` proves the SDK's
 * client is assignable). Written from the AWS Step Functions API reference, not recorded:
 * - StartExecution is idempotent by name: the same name and input answers the first execution;
 *   the same name with another input fails with ExecutionAlreadyExists. It answers the
 *   execution's ARN (`arn:aws:states:{region}:{account}:execution:{machine}:{name}`).
 * - DescribeExecution answers status RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED |
 *   PENDING_REDRIVE, `output` only when SUCCEEDED, `error` and `cause` when FAILED; an unknown
 *   ARN is ExecutionDoesNotExist.
 * - GetExecutionHistory pages the events oldest first by an opaque `nextToken` (at most
 *   `maxResults`, default 100, up to 1000); a token it did not give out, or one past its 24
 *   hours, is InvalidToken.
 * - Any call may be refused with ThrottlingException (the SDK retries it before it throws).
 * As the SDK types them, the fields the reference calls required may still be absent: the
 * workflow checks the ones it needs (`step-functions-workflow.ts`).
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE'

export type HistoryEvent = {
  id?: number
  previousEventId?: number
  timestamp?: Date
  type?: string
  /** Inputs and outputs are absent when the history is read with includeExecutionData false. */
  executionStartedEventDetails?: { input?: string }
  executionSucceededEventDetails?: { output?: string }
  executionFailedEventDetails?: { error?: string; cause?: string }
  stateEnteredEventDetails?: { name?: string; input?: string }
  stateExitedEventDetails?: { name?: string; output?: string }
  taskScheduledEventDetails?: { resourceType?: string; resource?: string; region?: string; parameters?: string }
  taskFailedEventDetails?: { resourceType?: string; resource?: string; error?: string; cause?: string }
}

export type DescribeExecutionOutput = {
  executionArn?: string
  stateMachineArn?: string
  name?: string
  status?: ExecutionStatus
  startDate?: Date
  stopDate?: Date
  input?: string
  output?: string
  error?: string
  cause?: string
}

/** The Step Functions calls the workflow makes: the SDK client in aws mode, FakeStepFunctions in tests. */
export interface StepFunctionsApi {
  startExecution(input: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn?: string; startDate?: Date }>
  describeExecution(input: { executionArn: string }): Promise<DescribeExecutionOutput>
  getExecutionHistory(input: { executionArn: string; maxResults?: number; nextToken?: string; includeExecutionData?: boolean }): Promise<{ events?: HistoryEvent[]; nextToken?: string }>
}

/** The errors of the calls above, by the name the SDK gives them (its `name` is the error's code). */
export type StepFunctionsErrorName = 'ExecutionAlreadyExists' | 'ExecutionDoesNotExist' | 'InvalidToken' | 'InvalidName' | 'ThrottlingException'

export class StepFunctionsError extends Error {
  readonly $fault = 'client' as const
  readonly $metadata = { httpStatusCode: 400 }
  constructor(name: StepFunctionsErrorName, message: string) {
    super(message)
    this.name = name
  }
}

/**
 * The ARN Step Functions gives the execution `name` of a state machine: the machine's ARN with
 * `execution` for `stateMachine`, without a version or alias qualifier, then the name.
 */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const [arn, partition, service, region, account, , machine] = stateMachineArn.split(':')
  return [arn, partition, service, region, account, 'execution', machine, name].join(':')
}

/** The Step Functions console's page for an execution; undefined for an ARN that is not one in the `aws` partition. */
export function executionConsoleUrl(executionArn: string): string | undefined {
  const [arn, partition, service, region, , resource] = executionArn.split(':')
  if (arn !== 'arn' || partition !== 'aws' || service !== 'states' || !region || resource !== 'execution') return undefined
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`
}
