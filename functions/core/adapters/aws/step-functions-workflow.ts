import { AppError, notFound } from '../../errors.ts'
import { executionInput, parseCause, resultFromOutput, type ExecutionNames } from '../../ingest/execution-input.ts'
import { readJson, readJsonWithTag, writeJson } from '../../json-records.ts'
import { keys } from '../../keys.ts'
import { PreconditionFailed, type ObjectStore } from '../../ports/object-store.ts'
import type { IngestInput, JobRecord, JobStep, Workflow } from '../../ports/workflow.ts'
import type { TenantId } from '../../tenant.ts'
import { executionArnOf, executionConsoleUrl, type DescribeExecutionOutput, type HistoryEvent, type StepFunctionsApi } from './step-functions-api.ts'

export type StepFunctionsWorkflowDeps = {
  sfn: StepFunctionsApi
  stateMachineArn: string
  store: ObjectStore
  names: ExecutionNames
  now: () => Date
  /** How many jobs one tenant may have running at once, counted in the store (every replica sees it). */
  maxRunningPerTenant?: number
  /**
   * Told each job's final record by the one replica whose conditional write kept it (for
   * /metrics): every job is counted once across replicas, when a read first finds it ended.
   */
  ended?: (record: JobRecord) => void
}

/** One of a tenant's running-job slots: its body is the job holding it and when it was claimed, empty when free. */
const slotKey = (t: TenantId, n: number) => `job-slots/${t}/${n}`
type Slot = { jobId: string; at: number }
/** A slot whose job has no index record yet, or an index record whose execution does not exist yet, is being started; past this, its starter died. */
const STARTING_MS = 60_000
const HISTORY_PAGE = 1000

/**
 * The Workflow on Step Functions, over its API (the SDK client in aws mode; FakeStepFunctions in
 * tests) and the object store. Nothing is kept in memory, so any replica, even one just scaled up
 * from zero, answers for any job:
 * - start: StartExecution named by the job id (idempotent by name), after writing the job's
 *   index record `jobs/{tenant}/{jobId}.json` (create-only) and claiming one of the tenant's
 *   running slots by conditional write;
 * - describe: the index record says which execution; DescribeExecution gives the status, the
 *   output (the job's result) or the error, GetExecutionHistory (paged forward) the steps. Once the
 *   execution has ended the final record replaces the index record, so later reads cost one GET,
 *   and the slot is freed. An index record whose execution still does not exist STARTING_MS after
 *   it was written is ended FAILED (ABORTED: its starter died before StartExecution), slot freed;
 * - list: a page of the tenant's index (ListExecutions cannot filter by tenant).
 * Every record it answers carries `consoleUrl`, the execution's page in the Step Functions console.
 * Step Functions' errors are read by name (as the SDK throws them): ExecutionAlreadyExists on
 * start is this job's execution, already there; ExecutionDoesNotExist an execution not started
 * (yet); ThrottlingException, once the SDK's retries are spent, and InvalidToken are AppError
 * UNAVAILABLE naming Step Functions.
 * In aws mode the SDK's SFN client is the API (`sfn-sdk.ts`); in tests FakeStepFunctions is.
 */
export class StepFunctionsWorkflow implements Workflow {
  constructor(private readonly deps: StepFunctionsWorkflowDeps) {}

  async start(input: IngestInput): Promise<JobRecord> {
    const { store } = this.deps
    const known = await readJson<JobRecord>(store, keys.job(input.tenant, input.jobId))
    if (known) return this.describe(input.tenant, input.jobId)
    const slot = await this.claimSlot(input.tenant, input.jobId)
    // The index record is written before StartExecution, so that two replicas cannot both start
    // the job and one that dies just after the call still leaves the job listed (and its slot
    // held): it must name the execution before Step Functions has answered, so its ARN is
    // derived here, as Step Functions forms it. Once StartExecution answers, its ARN is the one kept.
    const derivedArn = executionArnOf(this.deps.stateMachineArn, input.jobId)
    const record: JobRecord = { jobId: input.jobId, tenant: input.tenant, input, status: 'RUNNING', startedAt: this.deps.now().toISOString(), steps: [], executionArn: derivedArn }
    try {
      await writeJson(store, keys.job(input.tenant, input.jobId), record, { ifNoneMatch: '*' })
    } catch (err) {
      await this.freeSlot(input.tenant, slot, input.jobId)
      // Another replica started this very job a moment ago: its answer is ours (and the slot its).
      if (err instanceof PreconditionFailed) return this.describe(input.tenant, input.jobId)
      throw err
    }
    let answered: string | undefined
    try {
      answered = (await this.deps.sfn.startExecution({ stateMachineArn: this.deps.stateMachineArn, name: input.jobId, input: JSON.stringify(executionInput(input, this.deps.names)) })).executionArn
    } catch (err) {
      // An execution of this name exists already (with another input): it is this job's, and runs.
      if (errorName(err) === 'ExecutionAlreadyExists') return this.describe(input.tenant, input.jobId)
      // A timeout may come after Step Functions accepted the execution: then the job runs. No
      // answer names the execution here, so it is looked up by the derived ARN.
      const started = await this.executionExists(derivedArn)
      if (started === true) return withConsoleUrl(record)
      if (started === false) {
        await this.freeSlot(input.tenant, slot, input.jobId)
        await writeJson(store, keys.job(input.tenant, input.jobId), ended(record, this.deps.now(), { code: 'ABORTED', message: 'The workflow could not start; submit the file again.' }))
      }
      // Not known either way: the record stays RUNNING and describe() ends it once past STARTING_MS.
      throw stepFunctionsError(err, 'StartExecution')
    }
    // The reference says StartExecution always answers the ARN; were it absent, the derived one the
    // record already names stands (failing the submit would hide a job that runs).
    if (!answered || answered === derivedArn) return withConsoleUrl(record)
    return withConsoleUrl(await this.renameExecution(input.tenant, input.jobId, derivedArn, answered))
  }

  /**
   * Puts the ARN StartExecution answered in the index record, where it differs from the derived
   * one (if-match: a record another replica changed since is left to it, and answered as it is).
   */
  private async renameExecution(tenant: TenantId, jobId: string, derivedArn: string, executionArn: string): Promise<JobRecord> {
    const indexed = await readJsonWithTag<JobRecord>(this.deps.store, keys.job(tenant, jobId))
    if (!indexed) throw notFound(`The job ${jobId}`)
    if (indexed.value.executionArn !== derivedArn) return indexed.value
    const renamed = { ...indexed.value, executionArn }
    try {
      await writeJson(this.deps.store, keys.job(tenant, jobId), renamed, { ifMatch: indexed.etag })
      return renamed
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err
      return (await readJson<JobRecord>(this.deps.store, keys.job(tenant, jobId))) ?? renamed
    }
  }

  /** Whether Step Functions has the execution; undefined when it cannot be asked right now. */
  private async executionExists(executionArn: string): Promise<boolean | undefined> {
    try {
      await this.deps.sfn.describeExecution({ executionArn })
      return true
    } catch (err) {
      return errorName(err) === 'ExecutionDoesNotExist' ? false : undefined
    }
  }

  async describe(tenant: TenantId, jobId: string): Promise<JobRecord> {
    return withConsoleUrl(await this.read(tenant, jobId))
  }

  private async read(tenant: TenantId, jobId: string): Promise<JobRecord> {
    const indexed = await readJsonWithTag<JobRecord>(this.deps.store, keys.job(tenant, jobId))
    if (!indexed) throw notFound(`The job ${jobId}`)
    if (indexed.value.status !== 'RUNNING') return indexed.value
    let execution: DescribeExecutionOutput
    try {
      execution = await this.deps.sfn.describeExecution({ executionArn: indexed.value.executionArn })
    } catch (err) {
      if (errorName(err) !== 'ExecutionDoesNotExist') throw stepFunctionsError(err, 'DescribeExecution')
      // Indexed, but its start has not reached Step Functions: still being started, or its replica died in between.
      if (this.deps.now().getTime() - Date.parse(indexed.value.startedAt) < STARTING_MS) return indexed.value
      return this.end(tenant, jobId, indexed, ended(indexed.value, this.deps.now(), { code: 'ABORTED', message: 'The workflow never started; submit the file again.' }))
    }
    const record = fold(indexed.value, await this.history(indexed.value.executionArn), execution)
    return record.status === 'RUNNING' ? record : this.end(tenant, jobId, indexed, record)
  }

  /**
   * Keeps a final record in the index, once (if-match on the record read: a replica that lost
   * the race answers what the winner wrote), and frees the job's slot.
   */
  private async end(tenant: TenantId, jobId: string, indexed: { value: JobRecord; etag: string }, record: JobRecord): Promise<JobRecord> {
    let kept = record
    try {
      await writeJson(this.deps.store, keys.job(tenant, jobId), record, { ifMatch: indexed.etag })
      this.deps.ended?.(record)
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err
      kept = (await readJson<JobRecord>(this.deps.store, keys.job(tenant, jobId))) ?? record
    }
    await this.releaseSlotOf(tenant, jobId)
    return kept
  }

  async list(tenant: TenantId, page: { limit: number; after?: string }): Promise<{ jobs: JobRecord[]; after?: string }> {
    const prefix = keys.tenantJobs(tenant)
    const listed = await this.deps.store.listPage(prefix, { limit: page.limit, ...(page.after ? { startAfter: keys.job(tenant, page.after) } : {}) })
    const ids = listed.keys.filter((k) => k.endsWith('.json')).map((k) => k.slice(prefix.length, -'.json'.length))
    // A job whose execution cannot be read now (throttled, say) is listed as indexed, never dropped: `after` moves past it.
    const jobs = await Promise.all(ids.map((id) => this.read(tenant, id).catch(() => readJson<JobRecord>(this.deps.store, keys.job(tenant, id)))))
    const last = ids.at(-1)
    return { jobs: jobs.filter((j): j is JobRecord => j !== undefined).map(withConsoleUrl), ...(listed.more && last ? { after: last } : {}) }
  }

  /** Step Functions does not lose executions when a replica stops: there is nothing to reconcile. */
  async recover(): Promise<number> {
    return 0
  }

  async close(): Promise<void> {}

  /**
   * Every event, without state inputs and outputs (includeExecutionData false): fold() needs only
   * state names, event types and task errors and causes; the job's result is the execution's
   * output, which DescribeExecution gives.
   */
  private async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = []
    let nextToken: string | undefined
    do {
      let page: Awaited<ReturnType<StepFunctionsApi['getExecutionHistory']>>
      try {
        page = await this.deps.sfn.getExecutionHistory({ executionArn, maxResults: HISTORY_PAGE, includeExecutionData: false, ...(nextToken ? { nextToken } : {}) })
      } catch (err) {
        throw stepFunctionsError(err, 'GetExecutionHistory')
      }
      // A page without its events list (the SDK types it optional) adds no events.
      events.push(...(page.events ?? []))
      nextToken = page.nextToken
    } while (nextToken)
    return events
  }

  /**
   * One of the tenant's `maxRunningPerTenant` slots, by conditional write, so two replicas
   * cannot both take the last one: a missing slot is created (if-none-match), a free one or one
   * whose job has ended is taken over (if-match on what was read).
   */
  private async claimSlot(tenant: TenantId, jobId: string): Promise<number | undefined> {
    const limit = this.deps.maxRunningPerTenant
    if (limit === undefined) return undefined
    for (let n = 0; n < limit; n++) {
      const key = slotKey(tenant, n)
      let held = await this.deps.store.getBytesWithTag(key)
      const holder = held ? slotOf(held.bytes) : undefined
      if (holder) {
        if (await this.stillRunning(tenant, holder)) continue
        // Reading the ended job may have freed its slot just now: take it as it is now.
        held = await this.deps.store.getBytesWithTag(key)
      }
      try {
        const claim: Slot = { jobId, at: this.deps.now().getTime() }
        await this.deps.store.putBytes(key, JSON.stringify(claim), held ? { ifMatch: held.etag } : { ifNoneMatch: '*' })
        return n
      } catch (err) {
        if (!(err instanceof PreconditionFailed)) throw err
      }
    }
    throw new AppError('TOO_MANY_REQUESTS', `You have ${limit} jobs running, the most one user may (CSVLAKE_TENANT_MAX_JOBS); submit again when one has ended.`, { retryAfterSeconds: 5 })
  }

  private async stillRunning(tenant: TenantId, slot: Slot): Promise<boolean> {
    try {
      return (await this.read(tenant, slot.jobId)).status === 'RUNNING'
    } catch (err) {
      // Step Functions cannot say now (throttled): the slot is not taken from a job that may run.
      if (err instanceof AppError && err.code === 'UNAVAILABLE') throw err
      // Claimed, its index record not written yet: being started, unless its starter died long ago.
      if (err instanceof AppError && err.code === 'NOT_FOUND') return this.deps.now().getTime() - slot.at < STARTING_MS
      return false
    }
  }

  private async releaseSlotOf(tenant: TenantId, jobId: string): Promise<void> {
    for (let n = 0; n < (this.deps.maxRunningPerTenant ?? 0); n++) await this.freeSlot(tenant, n, jobId)
  }

  /** Frees the slot if this job still holds it (if-match, so a takeover in between is kept). */
  private async freeSlot(tenant: TenantId, n: number | undefined, jobId: string): Promise<void> {
    if (n === undefined) return
    const held = await this.deps.store.getBytesWithTag(slotKey(tenant, n))
    if (!held || slotOf(held.bytes)?.jobId !== jobId) return
    await this.deps.store.putBytes(slotKey(tenant, n), '', { ifMatch: held.etag }).catch((err) => {
      if (!(err instanceof PreconditionFailed)) throw err
    })
  }
}

/** The error's code, as the SDK names its errors. */
function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined
}

/**
 * Step Functions' errors as csvlake answers them: ThrottlingException (thrown once the SDK's
 * retries are spent) and InvalidToken are UNAVAILABLE, naming the service; others as thrown.
 */
export function stepFunctionsError(err: unknown, call: string): unknown {
  const name = errorName(err)
  if (name === 'ThrottlingException') return new AppError('UNAVAILABLE', `Step Functions is throttling csvlake's calls (${call}); try again in a moment.`, {}, { cause: err })
  // Tokens are read at once, page after page; one refused was lost or expired: the next read starts again.
  if (name === 'InvalidToken') return new AppError('UNAVAILABLE', `Step Functions refused the page token of an execution history (${call}); try again.`, {}, { cause: err })
  return err
}

/** A field the reference says Step Functions always answers, checked: the SDK types it optional. */
function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === null) throw new AppError('UNAVAILABLE', `Step Functions answered without ${what}; try again.`)
  return value
}

/** The record with the link to its execution in the Step Functions console (none for an ARN that is not one). */
function withConsoleUrl(record: JobRecord): JobRecord {
  const consoleUrl = executionConsoleUrl(record.executionArn)
  return consoleUrl ? { ...record, consoleUrl } : record
}

function slotOf(bytes: Uint8Array): Slot | undefined {
  const text = Buffer.from(bytes).toString('utf8')
  return text ? (JSON.parse(text) as Slot) : undefined
}

function ended(record: JobRecord, at: Date, error: NonNullable<JobRecord['error']>): JobRecord {
  const endedAt = at.toISOString()
  return {
    ...record,
    status: 'FAILED',
    endedAt,
    steps: record.steps.map((s) => (s.status === 'RUNNING' ? { ...s, status: 'FAILED', endedAt, error: error.message } : s)),
    error,
  }
}

/**
 * The job record from the execution: one step per state (a Choice loop shows its passes, a Retry
 * its retries, a caught error CAUGHT on the state that failed), the result from the output, the
 * error from the cause - as LocalWorkflow builds it from the local runner's events.
 */
export function fold(indexed: JobRecord, events: HistoryEvent[], execution: DescribeExecutionOutput): JobRecord {
  const record: JobRecord = { ...indexed, steps: [] }
  const step = (name: string): JobStep | undefined => record.steps.find((s) => s.name === name)
  let current: JobStep | undefined
  for (const e of events) {
    const at = () => need(e.timestamp, `the timestamp of history event ${e.id}`).toISOString()
    if (e.stateEnteredEventDetails) {
      const name = need(e.stateEnteredEventDetails.name, `the state name of history event ${e.id}`)
      const type = need(e.type, `the type of history event ${e.id}`).replace(/StateEntered$/, '')
      const existing = step(name)
      if (existing) {
        existing.status = 'RUNNING'
        existing.passes = (existing.passes ?? 1) + 1
        delete existing.endedAt
        current = existing
      } else {
        current = { name, type, status: 'RUNNING', startedAt: at() }
        record.steps.push(current)
      }
    } else if (e.type === 'TaskScheduled' && current && current.status === 'FAILED') {
      // Scheduled again in the same state: a Retry.
      current.status = 'RUNNING'
      current.retries = (current.retries ?? 0) + 1
      delete current.error
    } else if (e.taskFailedEventDetails && current) {
      current.status = 'FAILED'
      current.error = parseCause(e.taskFailedEventDetails.cause).message
      current.endedAt = at()
    } else if (e.stateExitedEventDetails) {
      const s = step(need(e.stateExitedEventDetails.name, `the state name of history event ${e.id}`))
      if (s) {
        // Left after a failure: the error was caught.
        s.status = s.status === 'FAILED' ? 'CAUGHT' : 'SUCCEEDED'
        s.endedAt = at()
      }
    }
  }
  const status = need(execution.status, 'the status of the execution (DescribeExecution)')
  // PENDING_REDRIVE: a redrive of the execution is starting (csvlake never asks for one); it runs again.
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return record
  const endedAt = (execution.stopDate ?? new Date()).toISOString()
  if (status === 'SUCCEEDED') {
    const result = resultFromOutput(execution.output)
    return { ...record, status: 'SUCCEEDED', endedAt, ...(result ? { result } : {}) }
  }
  if (status === 'FAILED') {
    const cause = parseCause(execution.cause)
    return {
      ...record,
      status: 'FAILED',
      endedAt,
      error: {
        code: String(cause.code ?? 'INGEST_FAILED'),
        message: cause.message,
        ...(typeof cause.line === 'number' ? { line: cause.line } : {}),
        ...(typeof cause.column === 'string' ? { column: cause.column } : {}),
        ...(typeof cause.value === 'string' ? { value: cause.value } : {}),
      },
    }
  }
  return ended(record, new Date(endedAt), { code: 'ABORTED', message: `The workflow ended ${status === 'TIMED_OUT' ? 'after its time limit' : 'before it finished'}. Submit the file again.` })
}
