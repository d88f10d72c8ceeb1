import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import type { Config } from '../../config.ts'
import { AppError } from '../../errors.ts'
import type { StorageUsage } from '../../files/storage-usage.ts'
import { keys } from '../../keys.ts'
import type { Column, TableEntry } from '../../ports/catalog.ts'
import type { Cell, QueryError, QueryRunner, RunOptions, RunPage, RunStatus } from '../../ports/query-runner.ts'
import { isQueryId } from '../../query/query-records.ts'
import type { TenantId } from '../../tenant.ts'
import { classifySql } from './duckdb-read-only.ts'
import { followFile } from './follow-file.ts'
import { SandboxPool, type Lease } from './duckdb-sandbox-pool.ts'
import { SandboxGone, SandboxProcess, SpareSandboxes, type GoneReason } from './duckdb-sandbox-process.ts'
import type { ExecuteOutcome } from './duckdb-sandbox-protocol.ts'
import { schemaRelation } from '../../query/time-travel.ts'


/** What a query that ended with its sandbox process is told, by why the process went. */
const GONE_CODES: Partial<Record<GoneReason, string>> = { memory: 'OUT_OF_MEMORY', disk: 'SPILL_TOO_LARGE' }
export type DuckDbQueryRunnerDeps = {
  dataDir: string
  limits: Config['query']
  /** A kept CSV export counts against the tenant's quota. */
  usage?: StorageUsage
  /** What the rows of ended small results not yet taken may weigh, as JSON (default 64 MiB). */
  maxHeldSmallBytes?: number
}

type StopReason = 'CANCELLED' | 'TIMEOUT' | 'SHUTDOWN'

/**
 * One execution in this process, from before its SQL is planned: planning runs within the time
 * limit and can be stopped. `status` is RUNNING until the end.
 */
type Run = {
  tenant: TenantId
  id: string
  status: RunStatus
  /** The tenant's sandbox process, once leased. */
  sandbox?: SandboxProcess
  settled: boolean
  stopReason?: StopReason
  interrupter?: NodeJS.Timeout
  killer?: NodeJS.Timeout
  /** Resolves to the final status. Never rejects. */
  done: Promise<RunStatus>
  /** Whether start() still waits for the plan: a plan error is then its error, and nothing runs on. */
  callerWaiting: boolean
}

/** Results up to one page - and up to these bytes as JSON - come back with the end, for csvlake to keep as JSON. */
const SMALL_RESULT_ROWS = 1000
const SMALL_RESULT_BYTES = 4 * 2 ** 20
/** What one page read from a stored result may weigh as JSON: fewer rows come back past it. */
const PAGE_BYTES = 4 * 2 ** 20
/** How long start() waits for the plan (its errors are then thrown at once); planning goes on after. */
const PLAN_WAIT_MS = 3000
/**
 * DuckDB's planner does not answer interrupts: a query still going this long after its stop is
 * ended by killing its tenant's sandbox process.
 */
const STOP_GRACE_MS = 1000
/** Ended executions whose status is kept in memory, for the caller that follows them. */
const ENDED_KEPT = 2000

const STOPPED = 'csvlake stopped while this query was running; run it again.'

/**
 * The local QueryRunner: each tenant's SQL runs in that tenant's sandboxed DuckDB instance (see
 * `TenantSandbox`), which lives in a process of its own (`SandboxProcess`): a query that plans
 * forever, holds gigabytes or keeps every thread busy harms only that tenant's process, which is
 * killed past its memory bound or when a stopped query will not stop. Results are written as
 * Parquet to results/{tenant}/{executionId}/; the execution's id is csvlake's token.
 */
export class DuckDbQueryRunner implements QueryRunner {
  /** Earlier versions are views of their parts, in a schema per version (TenantSandbox): `v3.orders`. */
  readonly timeTravel = schemaRelation
  private readonly dataDir: string
  private readonly pool: SandboxPool<SandboxProcess>
  private readonly spares: SpareSandboxes
  private readonly runs = new Map<string, Run>()
  private readonly ended = new Map<string, RunStatus>()
  /** Bytes (as JSON) of the small results held in `ended`. */
  private heldSmall = 0
  private readonly stale = new Set<TenantId>()
  private closing = false

  constructor(private readonly deps: DuckDbQueryRunnerDeps) {
    this.dataDir = resolve(deps.dataDir)
    const { memoryLimit, threads, maxTempBytes, processMemoryBytes } = deps.limits
    const heapMiB = Math.max(128, Math.min(1024, Math.floor(processMemoryBytes / 2 ** 20 / 3)))
    const processLimits = { memoryBytes: processMemoryBytes, heapMiB }
    this.spares = new SpareSandboxes(processLimits)
    this.pool = new SandboxPool(
      (tenant) => SandboxProcess.open({ dataDir: this.dataDir, tenant, memoryLimit, threads, maxTempBytes }, processLimits, this.spares),
      deps.limits,
    )
  }

  /** The tenant sandboxes (each a DuckDB instance in a process of its own) open or opening now. */
  get sandboxesOpen(): number {
    return this.pool.size
  }

  /** Starts a sandbox process ahead of the first query, and keeps one spare from then on. */
  warm(): void {
    if (!this.closing) this.spares.warm()
  }

  async start(tenant: TenantId, sql: string, options: RunOptions): Promise<string> {
    if (this.closing) throw new AppError('UNAVAILABLE', 'The query engine is shutting down.')
    const id = options.token
    if (!isQueryId(id)) throw new AppError('BAD_REQUEST', 'A query id is letters, digits, _ and -.')
    const key = runKey(tenant, id)
    // The same token again starts nothing new (as Athena's ClientRequestToken).
    if (this.runs.has(key) || this.ended.has(key)) return id
    classifySql(sql) // Refuse what is not a read before opening anything.
    // Registered before anything is planned: planning is timed and can be stopped.
    const planned = Promise.withResolvers<void>()
    planned.promise.catch(() => undefined)
    const run: Run = { tenant, id, status: { state: 'RUNNING' }, settled: false, done: Promise.resolve({ state: 'RUNNING' }), callerWaiting: true }
    this.runs.set(key, run)
    const leased = Promise.withResolvers<void>()
    run.done = this.execute(run, sql, options.tables, options.maxResultBytes, planned, leased.resolve)
    // A plan that ends soon answers now (its errors as errors); a long one goes on in the background.
    // The wait starts once the tenant's sandbox is there: starting its process is not planning.
    await Promise.race([leased.promise, planned.promise.catch(() => undefined)])
    let timer: NodeJS.Timeout | undefined
    const window = new Promise<void>((done) => (timer = setTimeout(done, PLAN_WAIT_MS)))
    try {
      await Promise.race([planned.promise, window])
    } finally {
      clearTimeout(timer)
      run.callerWaiting = false
    }
    if (this.runs.get(key) !== run && !this.ended.has(key)) await planned.promise // It failed as the window closed: say why.
    return id
  }

  async status(tenant: TenantId, executionId: string, waitMs = 0): Promise<RunStatus | undefined> {
    const key = runKey(tenant, executionId)
    const run = this.runs.get(key)
    // Until it is in `ended`, a run is waited on, even once settled (its end is being written).
    if (run && waitMs > 0) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((done) => (timer = setTimeout(done, waitMs)))
      await Promise.race([run.done, timeout])
      clearTimeout(timer)
    }
    const now = this.runs.get(key)
    if (now) return { ...now.status }
    const ended = this.ended.get(key)
    return ended && { ...ended }
  }

  async stop(tenant: TenantId, executionId: string): Promise<void> {
    const run = this.runs.get(runKey(tenant, executionId))
    if (run) this.stopRun(run, 'CANCELLED')
  }

  tokenAt(offset: number): string {
    return String(offset)
  }

  async read(tenant: TenantId, executionId: string, page: { token?: string; maxRows: number; columns?: Column[] }): Promise<RunPage> {
    const offset = page.token === undefined ? 0 : offsetOf(page.token)
    const parquet = await this.stored(tenant, executionId)
    const types = page.columns?.map((c) => c.type) ?? []
    const lease = await this.pool.acquire(tenant)
    let rows: Cell[][]
    try {
      const { json } = await lease.sandbox.call({ op: 'page', parquet, offset, limit: page.maxRows, types, maxBytes: PAGE_BYTES })
      rows = (JSON.parse(json) as { rows: Cell[][] }).rows
    } catch (err) {
      if (!(err instanceof SandboxGone)) throw err
      const message = 'Reading this page of the result took more memory than one tenant may use; download the result as CSV instead.'
      throw new AppError('CONFLICT', message)
    } finally {
      lease.release()
    }
    return { rows, next: String(offset + rows.length) }
  }

  async exportCsv(tenant: TenantId, executionId: string): Promise<Readable> {
    const parquet = await this.stored(tenant, executionId)
    const csv = this.path(keys.resultCsv(tenant, executionId))
    if (await exists(csv)) return createReadStream(csv)
    // The download starts while DuckDB is still writing the CSV (under a temp name); once both are
    // done the file is kept for the next export. A failed write removes it and fails the stream.
    const temp = `${csv}.${randomUUID()}.tmp`
    const written = this.writeCsv(tenant, parquet, temp)
    const stream = followFile(temp, written)
    stream.once('close', () => {
      written.then(
        async () => {
          await rename(temp, csv)
          this.deps.usage?.changed(tenant, (await stat(csv)).size)
        },
        () => rm(temp, { force: true }),
      ).catch(() => rm(temp, { force: true }))
    })
    return stream
  }

  async remove(tenant: TenantId, executionId: string): Promise<number> {
    if (!isQueryId(executionId)) return 0
    const bytes = await this.resultBytes(tenant, executionId)
    await rm(this.path(keys.resultDir(tenant, executionId)), { recursive: true, force: true })
    return bytes
  }

  invalidate(tenant: TenantId): void {
    this.stale.add(tenant)
  }

  async close(): Promise<void> {
    this.closing = true
    const runs = [...this.runs.values()]
    for (const run of runs) this.stopRun(run, 'SHUTDOWN')
    await Promise.all(runs.map((r) => r.done))
    this.spares.close()
    await this.pool.close()
  }

  /** Plans and runs; `planned` settles once planning has ended. */
  private async execute(run: Run, sql: string, tables: TableEntry[], maxResultBytes: number, planned: PromiseWithResolvers<void>, leased: () => void): Promise<RunStatus> {
    const { tenant, id } = run
    const key = runKey(tenant, id)
    const timer = setTimeout(() => this.stopRun(run, 'TIMEOUT'), this.deps.limits.timeoutMs)
    const lease = this.pool.acquire(tenant)
    let planning = true
    let final: RunStatus
    try {
      const { sandbox } = await lease
      run.sandbox = sandbox
      leased()
      if (run.stopReason) throw new Error('stopped before it started')
      await sandbox.sync(tables, this.stale.delete(tenant))
      const target = this.path(keys.resultParquet(tenant, id))
      run.status.columns = await sandbox.call({ op: 'plan', run: id, sql, target })
      planning = false
      planned.resolve()
      await mkdir(this.path(keys.resultDir(tenant, id)), { recursive: true })
      const outcome = await sandbox.call({
        op: 'execute',
        run: id,
        small: { rows: SMALL_RESULT_ROWS, bytes: SMALL_RESULT_BYTES },
        maxResultBytes,
      })
      final = await this.outcome(run, outcome)
    } catch (err) {
      if (planning && run.callerWaiting && !run.stopReason) {
        // Refused or wrong SQL, told to the caller of start() as it waits: nothing ran.
        this.finish(run, timer, lease)
        this.runs.delete(key)
        await rm(this.path(keys.resultDir(tenant, id)), { recursive: true, force: true }).catch(() => undefined)
        planned.reject(err instanceof AppError ? new AppError(err.code, this.withoutServerPath(err.message), err.details) : err)
        return { state: 'FAILED', error: this.errorOf(err) }
      }
      final = this.stopped(run) ?? { ...run.status, state: 'FAILED', error: this.errorOf(err) }
    }
    this.finish(run, timer, lease)
    planned.resolve()
    run.status = final
    // Nothing of a run that did not succeed is left behind.
    if (final.state !== 'SUCCEEDED') await rm(this.path(keys.resultDir(tenant, id)), { recursive: true, force: true }).catch(() => undefined)
    this.keepEnded(key, final)
    this.runs.delete(key)
    return final
  }

  /** What the rows of ended small results weigh while held, as JSON. */
  get heldSmallBytes(): number {
    return this.heldSmall
  }

  /**
   * An ended run's status is kept for whoever follows it, within bounds: at most ENDED_KEPT
   * statuses, and their small results' rows within a budget of bytes - the oldest lose their rows
   * first (the caller that follows a run takes them at once; a late one reads a status only).
   */
  private keepEnded(key: string, status: RunStatus): void {
    this.ended.set(key, status)
    this.heldSmall += status.small?.json.length ?? 0
    const budget = this.deps.maxHeldSmallBytes ?? 64 * 2 ** 20
    for (const [k, kept] of this.ended) {
      if (this.heldSmall <= budget && this.ended.size <= ENDED_KEPT) break
      if (k === key && this.ended.size <= ENDED_KEPT) continue
      this.heldSmall -= kept.small?.json.length ?? 0
      if (this.ended.size > ENDED_KEPT) this.ended.delete(k)
      else if (kept.small) this.ended.set(k, withoutRows(kept))
    }
  }

  /** The final status from what the sandbox answered; a stop requested before the end decides it. */
  private async outcome(run: Run, outcome: ExecuteOutcome): Promise<RunStatus> {
    const stopped = this.stopped(run)
    if (stopped) return stopped
    if (outcome.kind === 'failed') return { ...run.status, state: 'FAILED', error: this.runtimeError(outcome.error) }
    if (outcome.kind === 'small') {
      const { rows } = JSON.parse(outcome.json) as { rows: Cell[][] }
      return { ...run.status, state: 'SUCCEEDED', rowCount: outcome.rowCount, resultBytes: 0, small: { rows, json: outcome.json } }
    }
    return { ...run.status, state: 'SUCCEEDED', rowCount: outcome.rowCount, resultBytes: await this.resultBytes(run.tenant, run.id) }
  }

  /** What a stop makes of the run's end, whatever it did meanwhile. */
  private stopped(run: Run): RunStatus | undefined {
    const base = { ...run.status }
    switch (run.stopReason) {
      case 'CANCELLED':
        return { ...base, state: 'CANCELLED' }
      case 'TIMEOUT': {
        const limit = duration(this.deps.limits.timeoutMs)
        const message = `The query ran longer than ${limit}, the limit set by CSVLAKE_QUERY_TIMEOUT_MS, and was stopped.`
        return { ...base, state: 'FAILED', error: { code: 'TIMEOUT', message } }
      }
      case 'SHUTDOWN':
        return { ...base, state: 'FAILED', error: { code: 'INTERRUPTED', message: STOPPED } }
      default:
        return undefined
    }
  }

  /** The run no longer holds anything: timers stopped, its connection closed, its lease returned. */
  private finish(run: Run, timer: NodeJS.Timeout, lease: Promise<Lease<SandboxProcess>>): void {
    clearTimeout(timer)
    clearInterval(run.interrupter)
    clearTimeout(run.killer)
    run.settled = true
    run.sandbox?.call({ op: 'discard', run: run.id }).catch(() => undefined)
    lease.then((l) => l.release(), () => undefined)
  }

  /**
   * Interrupts until the run ends: an interrupt that lands between two steps would be lost. A run
   * still going after the grace (DuckDB's planner ignores interrupts) is ended by killing its
   * tenant's sandbox process; that tenant's other running queries end with it, saying why.
   */
  private stopRun(run: Run, reason: StopReason): void {
    if (run.settled || run.stopReason) return
    run.stopReason = reason
    const interrupt = () => run.sandbox?.interrupt(run.id)
    interrupt()
    run.interrupter = setInterval(interrupt, 50)
    run.interrupter.unref()
    run.killer = setTimeout(() => {
      if (!run.settled) run.sandbox?.kill('stopped')
    }, STOP_GRACE_MS)
    run.killer.unref()
  }

  /**
   * DuckDB names files by their path on this server (a table whose file cannot be read, say):
   * users see where in the data folder, never where the folder is.
   */
  private withoutServerPath(message: string): string {
    return message.split(this.dataDir + sep).join('').split(this.dataDir).join('the data folder')
  }

  /** What the user is told of an error while planning or running. */
  private errorOf(err: unknown): QueryError {
    if (err instanceof SandboxGone) return { code: GONE_CODES[err.reason] ?? 'INTERRUPTED', message: err.message }
    if (err instanceof AppError) {
      const { line, column } = err.details
      return {
        code: err.code,
        message: this.withoutServerPath(err.message),
        ...(typeof line === 'number' ? { line } : {}),
        ...(typeof column === 'number' ? { column } : {}),
      }
    }
    return { code: 'SQL_ERROR', message: this.withoutServerPath(err instanceof Error ? err.message : String(err)) }
  }

  private runtimeError(raw: QueryError): QueryError {
    const error = { ...raw, message: this.withoutServerPath(raw.message) }
    if (!error.message.startsWith('Out of Memory Error')) return error
    const spill = Math.round(this.deps.limits.maxTempBytes / 2 ** 20)
    const hint = ` Each tenant's queries share ${this.deps.limits.memoryLimit} (CSVLAKE_QUERY_MEMORY_LIMIT) and may spill ${spill} MiB to disk (CSVLAKE_QUERY_MAX_TEMP_BYTES).`
    return { ...error, message: error.message + hint }
  }

  /** The stored Parquet result of an execution, or NOT_FOUND when it is gone. */
  private async stored(tenant: TenantId, executionId: string): Promise<string> {
    const parquet = isQueryId(executionId) ? this.path(keys.resultParquet(tenant, executionId)) : undefined
    if (!parquet || !(await exists(parquet))) throw new AppError('NOT_FOUND', 'The result of this query is no longer stored; run it again.')
    return parquet
  }

  private async writeCsv(tenant: TenantId, parquet: string, csv: string): Promise<void> {
    const lease = await this.pool.acquire(tenant)
    try {
      await lease.sandbox.call({ op: 'export', parquet, csv })
    } finally {
      lease.release()
    }
  }

  /** What an execution's result folder holds on disk. */
  private async resultBytes(tenant: TenantId, executionId: string): Promise<number> {
    const dir = this.path(keys.resultDir(tenant, executionId))
    const names = await readdir(dir).catch(() => [] as string[])
    const sizes = await Promise.all(names.map((name) => stat(join(dir, name)).then((s) => s.size, () => 0)))
    return sizes.reduce((a, b) => a + b, 0)
  }

  private path(key: string): string {
    return join(this.dataDir, key)
  }
}

function withoutRows(status: RunStatus): RunStatus {
  const { small: _rows, ...rest } = status
  return rest
}

/** A page token of this runner: the row to read from. */
function offsetOf(token: string): number {
  if (!/^\d{1,15}$/.test(token)) throw new AppError('BAD_REQUEST', 'nextToken is not one this API gave out; pass it back exactly as received.')
  return Number(token)
}

function runKey(tenant: TenantId, id: string): string {
  return `${tenant}/${id}`
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

function duration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`
  if (ms % 1000 === 0) return `${ms / 1000} second${ms === 1000 ? '' : 's'}`
  return `${ms} ms`
}
