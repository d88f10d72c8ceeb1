/*
 * The part of the Step Functions API the ingest workflow uses (StartExecution, DescribeExecution,
 * GetExecutionHistory), with the request and response shapes and errors as the AWS SDK for
 * JavaScript v3 has them. Written from the AWS Step Functions API reference, not recorded:
 * - StartExecution is idempotent by name: the same name and input answers the first execution;
 *   the same name with another input fails with ExecutionAlreadyExists.
 * - DescribeExecution answers status RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED, `output`
 *   only when SUCCEEDED, `error` and `cause` when FAILED; an unknown ARN is ExecutionDoesNotExist.
 * - GetExecutionHistory pages the events oldest first by an opaque `nextToken` (at most
 *   `maxResults`, default 100, up to 1000); a token it did not give out is InvalidToken.
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED'

export type HistoryEvent = {
  id: number
  previousEventId: number
  timestamp: Date
  type: string
  /** Inputs and outputs are absent when the history is read with includeExecutionData false. */
  executionStartedEventDetails?: { input?: string }
  executionSucceededEventDetails?: { output?: string }
  executionFailedEventDetails?: { error: string; cause: string }
  stateEnteredEventDetails?: { name: string; input?: string }
  stateExitedEventDetails?: { name: string; output?: string }
  taskScheduledEventDetails?: { resourceType: string; resource: string; region: string; parameters: string }
  taskFailedEventDetails?: { resourceType: string; resource: string; error: string; cause: string }
}

export type DescribeExecutionOutput = {
  executionArn: string
  stateMachineArn: string
  name: string
  status: ExecutionStatus
  startDate: Date
  stopDate?: Date
  input: string
  output?: string
  error?: string
  cause?: string
}

/** The Step Functions calls the workflow makes: the SDK client in aws mode, FakeStepFunctions here. */
export interface StepFunctionsApi {
  startExecution(input: { stateMachineArn: string; name: string; input: string }): Promise<{ executionArn: string; startDate: Date }>
  describeExecution(input: { executionArn: string }): Promise<DescribeExecutionOutput>
  getExecutionHistory(input: { executionArn: string; maxResults?: number; nextToken?: string; includeExecutionData?: boolean }): Promise<{ events: HistoryEvent[]; nextToken?: string }>
}

export class StepFunctionsError extends Error {
  readonly $fault = 'client' as const
  readonly $metadata = { httpStatusCode: 400 }
  constructor(name: 'ExecutionAlreadyExists' | 'ExecutionDoesNotExist' | 'InvalidToken' | 'InvalidName', message: string) {
    super(message)
    this.name = name
  }
}
