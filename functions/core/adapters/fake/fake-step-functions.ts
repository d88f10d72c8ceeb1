import { randomUUID } from 'node:crypto'
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions'
import { StepFunctionsError, executionArnOf, type DescribeExecutionOutput, type ExecutionStatus, type HistoryEvent, type StepFunctionsApi } from '../aws/step-functions-api.ts'

type Handlers = Record<string, (params: Record<string, unknown>) => Promise<unknown>>
/** What the fake always answers, though the SDK types every field as possibly absent. */
type Described = DescribeExecutionOutput & { executionArn: string; status: ExecutionStatus; startDate: Date; input: string }
type Event = HistoryEvent & { id: number; previousEventId: number; timestamp: Date; type: string }
type Execution = { describe: Described; events: Event[]; done: Promise<void>; abort: () => void }
type LocalEvent = { type: string; timestamp: number; state?: { name: string; type: string; input?: unknown; output?: unknown }; Error?: string; Cause?: unknown; output?: unknown; input?: unknown }

const STATE_TYPES: Record<string, string> = { Task: 'Task', Choice: 'Choice', Pass: 'Pass', Wait: 'Wait', Succeed: 'Succeed', Fail: 'Fail', Map: 'Map', Parallel: 'Parallel' }
const HISTORY_PAGE_MAX = 1000
const NAME = /^[A-Za-z0-9_-]{1,80}$/

/**
 * Step Functions in memory, answering as `step-functions-api.ts` says the service does. An execution runs the real definition with aws-local-stepfunctions,
 * its Task states answered by `tasksFor(input)` (AWS-shaped handlers), and its history is kept
 * as Step Functions writes it: `TaskStateEntered`, `TaskScheduled`, `TaskFailed` (a retry shows
 * as another `TaskScheduled` in the same state; a caught error as the state's exit), `...Exited`,
 * `ExecutionSucceeded` with the output or `ExecutionFailed` with error and cause.
 */
export class FakeStepFunctions implements StepFunctionsApi {
  private readonly executions = new Map<string, Execution>()
  private readonly machine: StateMachine
  readonly calls: Record<string, number> = {}

  constructor(
    private readonly definition: StateMachineDefinition,
    private readonly tasksFor: (input: Record<string, unknown>) => Handlers,
    private readonly opts: { stateMachineArn?: string; now?: () => Date } = {},
  ) {
    this.machine = new StateMachine(definition, { validationOptions: { checkArn: true } })
  }

  get stateMachineArn(): string {
    return this.opts.stateMachineArn ?? 'arn:aws:states:us-east-1:123456789012:stateMachine:csvlake-ingest'
  }

  async startExecution(req: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: Date }> {
    this.count('StartExecution')
    // Without a name Step Functions makes one up (a UUID); without an input the execution gets {}.
    const name = req.name ?? randomUUID()
    const input = req.input ?? '{}'
    if (!NAME.test(name)) throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`)
    const executionArn = executionArnOf(req.stateMachineArn, name)
    const existing = this.executions.get(executionArn)
    if (existing) {
      if (existing.describe.input !== input) throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`)
      return { executionArn, startDate: existing.describe.startDate }
    }
    const startDate = this.now()
    const parsed = JSON.parse(input) as Record<string, unknown>
    const run = this.machine.run(parsed as never, {
      overrides: {
        taskResourceLocalHandlers: this.tasksFor(parsed) as never,
        waitTimeOverrides: Object.fromEntries(Object.entries(this.definition.States).filter(([, s]) => s.Type === 'Wait').map(([n]) => [n, 0])),
        retryIntervalOverrides: Object.fromEntries(Object.keys(this.definition.States).map((n) => [n, 0])),
      },
      noThrowOnAbort: true,
    })
    // The outcome is read from the events; a failed execution's rejection is not an error here.
    run.result.catch(() => undefined)
    const execution: Execution = {
      describe: { executionArn, stateMachineArn: req.stateMachineArn, name, status: 'RUNNING', startDate, input },
      events: [],
      done: Promise.resolve(),
      abort: run.abort,
    }
    this.push(execution, { type: 'ExecutionStarted', executionStartedEventDetails: { input } })
    execution.done = this.record(execution, run.eventLogs as AsyncIterable<LocalEvent>)
    this.executions.set(executionArn, execution)
    return { executionArn, startDate }
  }

  async describeExecution(req: { executionArn: string }): Promise<Described> {
    this.count('DescribeExecution')
    return structuredClone(this.execution(req.executionArn).describe)
  }

  async getExecutionHistory(req: { executionArn: string; maxResults?: number; nextToken?: string; includeExecutionData?: boolean }): Promise<{ events: Event[]; nextToken?: string }> {
    this.count('GetExecutionHistory')
    const execution = this.execution(req.executionArn)
    const from = req.nextToken === undefined ? 0 : decodeToken(req.nextToken, req.executionArn)
    const size = Math.min(Math.max(req.maxResults || 100, 1), HISTORY_PAGE_MAX)
    const events = execution.events.slice(from, from + size)
    const next = from + events.length
    // A token only while there is more: an execution still running gets more events later, read from the last token's place.
    const answered = req.includeExecutionData === false ? events.map(withoutData) : structuredClone(events)
    return { events: answered, ...(next < execution.events.length ? { nextToken: encodeToken(next, req.executionArn) } : {}) }
  }

  /** Waits until every execution has ended (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done))
  }

  /** Stops every running execution (ABORTED), as StopExecution would. */
  async stopAll(): Promise<void> {
    for (const e of this.executions.values()) if (e.describe.status === 'RUNNING') e.abort()
    await this.settled()
  }

  private async record(execution: Execution, events: AsyncIterable<LocalEvent>): Promise<void> {
    const typeOf = new Map<string, string>()
    try {
      for await (const e of events) {
        const name = e.state?.name
        const kind = e.state ? (STATE_TYPES[e.state.type] ?? e.state.type) : ''
        if (name) typeOf.set(name, kind)
        switch (e.type) {
          case 'StateEntered':
            this.push(execution, { type: `${kind}StateEntered`, stateEnteredEventDetails: { name: name!, input: JSON.stringify(e.state?.input ?? {}) } })
            if (kind === 'Task') this.push(execution, { type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'aws-sdk', resource: name!, region: 'us-east-1', parameters: '{}' } })
            break
          case 'StateRetried':
            this.push(execution, { type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'aws-sdk', resource: name!, region: 'us-east-1', parameters: '{}' } })
            break
          case 'StateFailed':
            this.push(execution, { type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'aws-sdk', resource: name!, error: String(e.Error ?? 'States.TaskFailed'), cause: String(e.Cause ?? '') } })
            break
          case 'StateExited':
            this.push(execution, { type: `${kind}StateExited`, stateExitedEventDetails: { name: name!, output: JSON.stringify(e.state?.output ?? {}) } })
            break
          case 'ExecutionSucceeded':
            execution.describe.status = 'SUCCEEDED'
            execution.describe.stopDate = this.now()
            execution.describe.output = JSON.stringify(e.output ?? null)
            this.push(execution, { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: execution.describe.output } })
            break
          case 'ExecutionFailed':
            execution.describe.status = 'FAILED'
            execution.describe.stopDate = this.now()
            execution.describe.error = String(e.Error ?? 'States.Runtime')
            execution.describe.cause = String(e.Cause ?? '')
            this.push(execution, { type: 'ExecutionFailed', executionFailedEventDetails: { error: execution.describe.error, cause: execution.describe.cause } })
            break
          case 'ExecutionTimeout':
            execution.describe.status = 'TIMED_OUT'
            execution.describe.stopDate = this.now()
            this.push(execution, { type: 'ExecutionTimedOut' })
            break
          case 'ExecutionAborted':
            execution.describe.status = 'ABORTED'
            execution.describe.stopDate = this.now()
            this.push(execution, { type: 'ExecutionAborted' })
            break
        }
      }
    } catch {
      // The runner's own failure: Step Functions would show it as a failed execution.
    }
    if (execution.describe.status === 'RUNNING') {
      execution.describe.status = 'ABORTED'
      execution.describe.stopDate = this.now()
      this.push(execution, { type: 'ExecutionAborted' })
    }
  }

  private push(execution: Execution, event: Omit<Event, 'id' | 'previousEventId' | 'timestamp'>): void {
    const id = execution.events.length + 1
    execution.events.push({ id, previousEventId: id - 1, timestamp: this.now(), ...event })
  }

  private execution(arn: string): Execution {
    const e = this.executions.get(arn)
    if (!e) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`)
    return e
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date()
  }

  private count(call: string): void {
    this.calls[call] = (this.calls[call] ?? 0) + 1
  }
}

/** An event as includeExecutionData false answers it: without the input or output of the event (its error and cause stay). */
function withoutData(event: Event): Event {
  const copy = structuredClone(event) as Record<string, unknown>
  for (const [k, v] of Object.entries(copy)) {
    if (!k.endsWith('EventDetails') || typeof v !== 'object' || v === null) continue
    const { input: _input, output: _output, ...rest } = v as Record<string, unknown>
    copy[k] = rest
  }
  return copy as Event
}

function encodeToken(position: number, arn: string): string {
  return Buffer.from(JSON.stringify({ p: position, a: arn })).toString('base64url')
}

function decodeToken(token: string, arn: string): number {
  try {
    const { p, a } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p: unknown; a: unknown }
    if (typeof p === 'number' && Number.isInteger(p) && p >= 0 && a === arn) return p
  } catch {
    // fall through
  }
  throw new StepFunctionsError('InvalidToken', 'Invalid Token')
}
