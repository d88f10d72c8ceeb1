import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions'
import { AppError, notFound } from '../../errors.ts'
import { executionInput, parseCause, resultFromOutput } from '../../ingest/execution-input.ts'
import { readJson, writeJson } from '../../json-records.ts'
import { keys } from '../../keys.ts'
import type { Logger } from '../../logger.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { IngestInput, JobRecord, JobStep, Workflow } from '../../ports/workflow.ts'
import type { TenantId } from '../../tenant.ts'

type Handlers = Record<string, (params: Record<string, unknown>) => Promise<unknown>>
type Event = { type: string; timestamp: number; state?: { name: string; type: string }; Error?: string; Cause?: unknown; output?: unknown }

export type LocalWorkflowDeps = {
  store: ObjectStore
  definition: StateMachineDefinition
  /** The local Task handlers for one execution. */
  tasksFor: (input: IngestInput) => Handlers
  /** What a Wait state lasts locally, in ms, instead of its ASL seconds. */
  waitMs: number
  /** Cleans up what a job that died with the process left (staged copy, unregistered Parquet). */
  cleanUpDead: (record: JobRecord) => Promise<void>
  log: Logger
  now: () => Date
  /** Frees what the tasks hold (the ingest DuckDB instance) once every execution has ended. */
  dispose?: () => void
  /** How many jobs one tenant may have running at once (fair sharing). */
  maxRunningPerTenant?: number
  /** Called once a job's final record is saved (or a dead one recovered): e.g. to measure its table again. */
  ended?: (record: JobRecord) => Promise<void>
}

/**
 * Runs `statemachines/ingest.asl.json` in process with aws-local-stepfunctions, every Task state
 * overridden by its local handler. The job record (one step per state) is rebuilt from the
 * execution's event log and kept in the object store, so job-status survives a restart; the
 * job's result is the execution's output, as on Step Functions.
 */
export class LocalWorkflow implements Workflow {
  private readonly running = new Map<string, { tenant: TenantId; abort: () => void; done: Promise<void> }>()
  private readonly machine: StateMachine

  constructor(private readonly deps: LocalWorkflowDeps) {
    this.machine = new StateMachine(deps.definition, { validationOptions: { checkArn: true } })
  }

  async start(input: IngestInput): Promise<JobRecord> {
    // Idempotent by job id, as StartExecution is by name: a second start answers the first.
    const known = await readJson<JobRecord>(this.deps.store, keys.job(input.tenant, input.jobId))
    if (known) return known
    const mine = [...this.running.values()].filter((r) => r.tenant === input.tenant).length
    if (mine >= (this.deps.maxRunningPerTenant ?? Number.POSITIVE_INFINITY)) {
      throw new AppError('TOO_MANY_REQUESTS', `You have ${mine} jobs running, the most one user may (CSVLAKE_TENANT_MAX_JOBS); submit again when one has ended.`, { retryAfterSeconds: 5 })
    }
    // Counted from now, so two submits at once cannot both pass the check.
    this.running.set(input.jobId, { tenant: input.tenant, abort: () => {}, done: Promise.resolve() })
    const record: JobRecord = {
      jobId: input.jobId,
      tenant: input.tenant,
      input,
      status: 'RUNNING',
      startedAt: this.deps.now().toISOString(),
      steps: [],
      executionArn: `local:execution:ingest:${input.jobId}`,
    }
    let execution: ReturnType<StateMachine['run']>
    try {
      // In the index before the record says RUNNING: a job that dies is always found at start-up.
      await this.deps.store.putBytes(keys.runningJob(input.tenant, input.jobId), '')
      await this.save(record)
      const waits = Object.fromEntries(
        Object.entries(this.deps.definition.States)
          .filter(([, s]) => s.Type === 'Wait')
          .map(([name]) => [name, this.deps.waitMs]),
      )
      execution = this.machine.run(executionInput(input, { bucket: 'local', crawlerRole: 'local', workGroup: 'local' }), {
        overrides: {
          taskResourceLocalHandlers: this.deps.tasksFor(input) as never,
          waitTimeOverrides: waits,
          retryIntervalOverrides: Object.fromEntries(Object.keys(this.deps.definition.States).map((n) => [n, this.deps.waitMs])),
        },
        noThrowOnAbort: true,
      })
    } catch (err) {
      // Not started: free the slot, and leave no record claiming it runs.
      this.running.delete(input.jobId)
      await this.save(this.failed(record, 'The workflow could not start; submit the file again.')).catch(() => undefined)
      await this.deps.store.delete(keys.runningJob(input.tenant, input.jobId)).catch(() => undefined)
      throw err
    }
    const done = this.follow(record, execution.eventLogs as AsyncGenerator<Event>, execution.result)
    this.running.set(input.jobId, { tenant: input.tenant, abort: execution.abort, done })
    void done.finally(() => this.running.delete(input.jobId))
    return structuredClone(record)
  }

  async describe(tenant: TenantId, jobId: string): Promise<JobRecord> {
    const record = await readJson<JobRecord>(this.deps.store, keys.job(tenant, jobId))
    if (!record) throw notFound(`The job ${jobId}`)
    return record
  }

  async list(tenant: TenantId, page: { limit: number; after?: string }): Promise<{ jobs: JobRecord[]; after?: string }> {
    // Job ids sort newest first (ids.ts): a page is a page of names and `limit` records.
    const listed = await this.deps.store.listPage(keys.tenantJobs(tenant), {
      limit: page.limit,
      ...(page.after ? { startAfter: keys.job(tenant, page.after) } : {}),
    })
    const records = await Promise.all(listed.keys.filter((k) => k.endsWith('.json')).map((key) => readJson<JobRecord>(this.deps.store, key)))
    const last = listed.keys.at(-1)
    return {
      jobs: records.filter((r): r is JobRecord => r !== undefined),
      ...(listed.more && last ? { after: last.slice(keys.tenantJobs(tenant).length).replace(/\.json$/, '') } : {}),
    }
  }

  /**
   * Jobs left RUNNING by a process that died end FAILED, with a reason, and leave nothing behind.
   * Only the index of running jobs is read, so start-up does not grow with the jobs kept.
   */
  async recover(): Promise<number> {
    const store = this.deps.store
    if ((await store.size(keys.runningJobsIndexed())) === undefined) {
      // A folder from before the index: every job record is read, this once.
      let recovered = 0
      for await (const key of store.keys(keys.jobsPrefix())) {
        if (await this.recoverJob(await readJson<JobRecord>(store, key))) recovered++
      }
      await store.putBytes(keys.runningJobsIndexed(), '')
      return recovered
    }
    let recovered = 0
    // Collected first: the markers are deleted as the jobs are recovered.
    const markers: string[] = []
    for await (const marker of store.keys(keys.runningJobsPrefix())) markers.push(marker)
    for (const marker of markers) {
      const [, tenant, jobId] = marker.split('/')
      if (!tenant || !jobId || this.running.has(jobId)) continue
      if (await this.recoverJob(await readJson<JobRecord>(store, keys.job(tenant as TenantId, jobId)))) recovered++
      await store.delete(marker)
    }
    return recovered
  }

  private async recoverJob(record: JobRecord | undefined): Promise<boolean> {
    if (!record || record.status !== 'RUNNING' || this.running.has(record.jobId)) return false
    await this.deps.cleanUpDead(record)
    const failed = this.failed(record, 'csvlake stopped while this job was running, so it did not finish. Submit the file again.')
    await this.save(failed)
    await this.deps.ended?.(failed)
    return true
  }

  /**
   * Aborts every running execution and waits for each to end: a stopped job's leftovers are
   * cleaned up (cleanUpDead) and its record saved FAILED before dispose() frees the tasks' resources.
   */
  async close(): Promise<void> {
    const pending = [...this.running.values()]
    for (const run of pending) run.abort()
    await Promise.allSettled(pending.map((r) => r.done))
    this.deps.dispose?.()
  }

  private async follow(record: JobRecord, events: AsyncGenerator<Event>, result: Promise<unknown>) {
    // Saves never queue up: while one is being written only the newest record waits (a state
    // machine of some thirty states sends a hundred events). The ones in between need not
    // survive a power cut (the running index is durable, and recovery ends the job); the last does.
    let latest: { record: JobRecord; durable: boolean } | undefined
    let saving: Promise<void> | undefined
    const drain = async () => {
      while (latest) {
        const next = latest
        latest = undefined
        await this.save(next.record, next.durable).catch((err) => this.deps.log.error('saving a job record failed', { err: String(err) }))
      }
      saving = undefined
    }
    const save = (durable = false) => {
      latest = { record: structuredClone(record), durable: durable || Boolean(latest?.durable) }
      saving ??= drain()
    }
    try {
      for await (const event of events) {
        // The result (the execution's output) goes in with the status, so no reader sees SUCCEEDED without its table.
        if (!applyEvent(record, event)) continue
        save()
      }
      await result.catch(() => undefined)
    } catch (err) {
      this.deps.log.error('ingest execution broke', { jobId: record.jobId, err: String(err) })
    }
    if (record.status === 'RUNNING') {
      // Stopped (close() aborted it) or broken: no clean-up state ran, so what the job staged and any
      // unregistered Parquet part go now, while its record still says RUNNING and its marker is kept:
      // a process killed during this clean-up leaves the job for recover() to clean up again.
      // close() awaits this before dispose(), so the clean-up may still use what the tasks hold.
      while (saving) await saving
      await this.deps.cleanUpDead(structuredClone(record)).catch((err) => this.deps.log.error('cleaning up a stopped job failed', { jobId: record.jobId, err: String(err) }))
      Object.assign(record, this.failed(record, 'The workflow was stopped before it finished (csvlake is shutting down). Submit the file again.'))
    }
    save(true)
    while (saving) await saving
    await this.deps.store.delete(keys.runningJob(record.tenant, record.jobId)).catch((err) => this.deps.log.error('removing a job from the running index failed', { err: String(err) }))
    await this.deps.ended?.(structuredClone(record)).catch((err) => this.deps.log.error('after a job ended', { jobId: record.jobId, err: String(err) }))
  }

  private failed(record: JobRecord, message: string): JobRecord {
    const at = this.deps.now().toISOString()
    return {
      ...record,
      status: 'FAILED',
      endedAt: at,
      steps: record.steps.map((s) => (s.status === 'RUNNING' ? { ...s, status: 'FAILED', endedAt: at, error: message } : s)),
      error: { code: 'ABORTED', message },
    }
  }

  private save(record: JobRecord, durable = true): Promise<void> {
    return writeJson(this.deps.store, keys.job(record.tenant, record.jobId), record, { durable })
  }
}

/**
 * Folds one execution event into the record: one step per state, re-used when a Choice loop
 * passes through it again. Answers whether the record changed.
 */
export function applyEvent(record: JobRecord, event: Event): boolean {
  const at = new Date(event.timestamp).toISOString()
  const step = (name: string): JobStep | undefined => record.steps.find((s) => s.name === name)
  switch (event.type) {
    case 'StateEntered': {
      if (!event.state) return false
      const existing = step(event.state.name)
      if (existing) {
        existing.status = 'RUNNING'
        existing.passes = (existing.passes ?? 1) + 1
        delete existing.endedAt
      } else {
        record.steps.push({ name: event.state.name, type: event.state.type, status: 'RUNNING', startedAt: at })
      }
      return true
    }
    case 'StateExited': {
      const s = event.state && step(event.state.name)
      if (!s || s.status === 'CAUGHT' || s.status === 'FAILED') {
        if (s) s.endedAt = at
        return Boolean(s)
      }
      s.status = 'SUCCEEDED'
      s.endedAt = at
      return true
    }
    case 'StateFailed':
    case 'StateCaught': {
      const s = event.state && step(event.state.name)
      if (!s) return false
      if (event.type === 'StateFailed') s.error = parseCause(event.Cause).message
      s.status = event.type === 'StateCaught' ? 'CAUGHT' : 'FAILED'
      s.endedAt = at
      return true
    }
    case 'StateRetried': {
      const s = event.state && step(event.state.name)
      if (!s) return false
      s.status = 'RUNNING'
      s.retries = (s.retries ?? 0) + 1
      delete s.error
      return true
    }
    case 'ExecutionSucceeded': {
      record.status = 'SUCCEEDED'
      record.endedAt = at
      const result = resultFromOutput(event.output)
      if (result) record.result = result
      return true
    }
    case 'ExecutionFailed': {
      const cause = parseCause(event.Cause)
      record.status = 'FAILED'
      record.endedAt = at
      record.error = {
        code: String(cause.code ?? 'INGEST_FAILED'),
        message: cause.message,
        ...(typeof cause.line === 'number' ? { line: cause.line } : {}),
        ...(typeof cause.column === 'string' ? { column: cause.column } : {}),
        ...(typeof cause.value === 'string' ? { value: cause.value } : {}),
      }
      return true
    }
    default:
      return false
  }
}
