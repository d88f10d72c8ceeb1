import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { Readable } from 'node:stream'
import type { Config } from '../../config.ts'
import { AppError, notFound } from '../../errors.ts'
import { keys } from '../../keys.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { Catalog } from '../../ports/catalog.ts'
import type { QueryEngine, QueryError, QueryRecord, ResultPage, StartOptions } from '../../ports/query-engine.ts'
import { MAX_PAGE_ROWS } from '../../query/page-token.ts'
import type { Column, TableEntry } from '../../ports/catalog.ts'
import { classifySql } from '../../query/read-only.ts'
import { ResultReuse, tablesVersion, type ReusableResult } from '../../query/result-reuse.ts'
import type { TenantId } from '../../tenant.ts'
import { followFile } from '../../files/follow-file.ts'
import type { Cell } from '../../ports/query-engine.ts'
import { isQueryId, QueryRecords, SmallResults, smallResultCsv } from './duckdb-query-records.ts'
import type { Reservation, StorageUsage } from '../../files/storage-usage.ts'
import { SandboxGone, SandboxProcess, SpareSandboxes } from './duckdb-sandbox-process.ts'
import { SandboxPool, type Lease } from './duckdb-sandbox-pool.ts'
import type { ExecuteOutcome } from './duckdb-sandbox-protocol.ts'

export type DuckDbQueryEngineDeps = {
  /** How many queries one tenant may have running at once (fair sharing). */
  maxRunningPerTenant?: number
  dataDir: string
  store: ObjectStore
  catalog: Catalog
  limits: Config['query']
  /** What each tenant keeps against its quota: query results count, and are bounded by what is left. */
  usage?: StorageUsage
  now?: () => Date
}

type StopReason = 'CANCELLED' | 'TIMEOUT' | 'SHUTDOWN'

/**
 * A query this process runs, from before its SQL is planned: planning counts against the tenant's
 * limit, runs within the time limit and can be cancelled. `record` is RUNNING until the end.
 */
type Run = {
  record: QueryRecord
  /** The tenant's sandbox process, once leased. */
  sandbox?: SandboxProcess
  settled: boolean
  stopReason?: StopReason
  interrupter?: NodeJS.Timeout
  killer?: NodeJS.Timeout
  /** Resolves to the final record once it is persisted (or could not be). Never rejects. */
  done: Promise<QueryRecord>
  /** Saves of this run's record, in order: a late RUNNING save never overwrites the final one. */
  saved: Promise<void>
  /** Whether the RUNNING record was written (only for queries still running when a caller stops waiting). */
  announced: boolean
  /** Whether start() still waits for the plan: a plan error is then its error, and nothing is recorded. */
  callerWaiting: boolean
  /** The version of the tenant's tables the query reads, when its result may be reused. */
  tables?: string
}

/** Final records kept in memory, so the page that follows a query does not read its record back. */
const RECENT_RECORDS = 1000
const RECENT_RECORD_BYTES = 8 * 2 ** 20
/** Results up to one page - and up to these bytes as JSON - are answered from memory and stored as JSON. */
const SMALL_RESULT_ROWS = MAX_PAGE_ROWS
const SMALL_RESULT_BYTES = 4 * 2 ** 20
/** What one page read from a stored result may weigh as JSON: fewer rows come back past it. */
const PAGE_BYTES = 4 * 2 ** 20
/** How long start() waits for the plan (its errors are then answered at once); planning goes on after. */
const PLAN_WAIT_MS = 3000
/**
 * DuckDB's planner does not answer interrupts: a query still going this long after its stop is
 * ended by killing its tenant's sandbox process.
 */
const STOP_GRACE_MS = 1000

/** How often ended queries past their time to live are removed. */
const EXPIRE_EVERY_MS = 3_600_000

const RESTARTED = 'csvlake restarted while this query was running; run it again.'
const STOPPED = 'csvlake stopped while this query was running; run it again.'

/**
 * The local QueryEngine: each tenant's SQL runs in that tenant's sandboxed DuckDB instance (see
 * `TenantSandbox`), which lives in a process of its own (`SandboxProcess`): a query that plans
 * forever, holds gigabytes or keeps every thread busy harms only that tenant's process, which is
 * killed past its memory bound or when a stopped query will not stop. Results are written to
 * results/{tenant}/{queryId}/ and records to queries/{tenant}/{queryId}.json.
 */
export class DuckDbQueryEngine implements QueryEngine {
  private readonly dataDir: string
  private readonly now: () => Date
  private readonly records: QueryRecords
  private readonly smallResults: SmallResults
  private readonly pool: SandboxPool<SandboxProcess>
  private readonly spares: SpareSandboxes
  private readonly runs = new Map<string, Run>()
  private readonly reuse = new ResultReuse()
  private readonly recent = new Map<string, QueryRecord>()
  private recentBytes = 0
  private readonly starting = new Set<string>()
  private readonly stale = new Set<TenantId>()
  private closing = false
  private expiring: NodeJS.Timeout | undefined

  constructor(private readonly deps: DuckDbQueryEngineDeps) {
    this.dataDir = resolve(deps.dataDir)
    this.now = deps.now ?? (() => new Date())
    this.records = new QueryRecords(deps.store)
    this.smallResults = new SmallResults(this.dataDir)
    const { memoryLimit, threads, maxTempBytes, processMemoryBytes } = deps.limits
    const heapMiB = Math.max(128, Math.min(1024, Math.floor(processMemoryBytes / 2 ** 20 / 3)))
    const processLimits = { memoryBytes: processMemoryBytes, heapMiB }
    this.spares = new SpareSandboxes(processLimits)
    this.pool = new SandboxPool(
      (tenant) => SandboxProcess.open({ dataDir: this.dataDir, tenant, memoryLimit, threads, maxTempBytes }, processLimits, this.spares),
      deps.limits,
    )
  }

  /** Starts a sandbox process ahead of the first query, and keeps one spare from then on. */
  warm(): void {
    if (!this.closing) this.spares.warm()
  }

  async start(tenant: TenantId, queryId: string, sql: string, options: StartOptions = {}): Promise<QueryRecord> {
    if (this.closing) throw new AppError('UNAVAILABLE', 'The query engine is shutting down.')
    if (!isQueryId(queryId)) throw new AppError('BAD_REQUEST', 'A query id is letters, digits, _ and -.')
    const statement = classifySql(sql) // Refuse what is not a read before opening anything.
    const key = runKey(tenant, queryId)
    if (this.starting.has(key) || this.runs.has(key)) throw duplicate()
    const limit = this.deps.maxRunningPerTenant ?? Number.POSITIVE_INFINITY
    // Queries being started count too: concurrent starts cannot all slip under the limit.
    const mine =
      [...this.runs.values()].filter((r) => r.record.tenant === tenant && !r.settled).length +
      [...this.starting].filter((k) => k.startsWith(`${tenant}/`)).length
    if (mine >= limit) {
      throw new AppError('TOO_MANY_REQUESTS', `You have ${mine} queries running, the most one user may (CSVLAKE_TENANT_MAX_QUERIES); wait for one to end or cancel one.`, { retryAfterSeconds: 1 })
    }
    this.starting.add(key)
    try {
      if (await this.records.exists(tenant, queryId)) throw duplicate()
      // EXPLAIN ANALYZE reports how long it ran: never an earlier run's answer.
      const reusable = options.reuse !== false && statement.kind !== 'explain'
      return await this.launch(tenant, queryId, sql, reusable)
    } finally {
      this.starting.delete(key)
    }
  }

  async wait(tenant: TenantId, queryId: string, waitMs: number): Promise<QueryRecord> {
    const run = this.runs.get(runKey(tenant, queryId))
    if (run && !run.settled) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((done) => (timer = setTimeout(done, Math.max(0, waitMs))))
      await Promise.race([run.done, timeout])
      clearTimeout(timer)
      // The caller stops waiting: from now on other readers (a restart, another instance) must
      // see it RUNNING. A query that ends within the wait is written once, when it ends.
      if (!run.settled && !run.announced) {
        run.announced = true
        const running = { ...run.record }
        // The marker first: a RUNNING record is always in the index start-up reads.
        const marker = keys.runningQuery(tenant, queryId)
        run.saved = run.saved.then(() => this.deps.store.putBytes(marker, '', { durable: false })).then(() => this.records.save(running)).catch(() => undefined)
        await run.saved
      }
    }
    return this.get(tenant, queryId)
  }

  async get(tenant: TenantId, queryId: string): Promise<QueryRecord> {
    const run = isQueryId(queryId) ? this.runs.get(runKey(tenant, queryId)) : undefined
    if (run) return { ...run.record }
    const recent = this.recent.get(runKey(tenant, queryId))
    if (recent) return { ...recent }
    const record = isQueryId(queryId) ? await this.records.load(tenant, queryId) : undefined
    if (!record) throw notFound('The query')
    return record
  }

  async page(tenant: TenantId, queryId: string, offset: number, limit: number): Promise<ResultPage> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 0) {
      throw new AppError('BAD_REQUEST', 'offset and limit are whole numbers, 0 or more.')
    }
    const record = await this.succeeded(tenant, queryId)
    const small = await this.smallResults.load(tenant, queryId)
    if (small) {
      return { columns: record.columns ?? small.columns, rows: small.rows.slice(offset, offset + limit), offset, rowCount: small.rows.length }
    }
    const { parquet } = await this.result(tenant, queryId)
    const types = record.columns?.map((c) => c.type) ?? []
    const lease = await this.pool.acquire(tenant)
    let rows: Cell[][]
    try {
      const { json } = await lease.sandbox.call({ op: 'page', parquet, offset, limit, types, maxBytes: PAGE_BYTES })
      rows = (JSON.parse(json) as { rows: Cell[][] }).rows
    } catch (err) {
      // Said with the query's id: the first page is read while POST /api/query answers.
      if (err instanceof AppError) throw new AppError(err.code, err.message, { ...err.details, queryId })
      if (!(err instanceof SandboxGone)) throw err
      const message = 'Reading this page of the result took more memory than one tenant may use; download the result as CSV instead.'
      throw new AppError('CONFLICT', message, { queryId })
    } finally {
      lease.release()
    }
    return { columns: record.columns ?? [], rows, offset, rowCount: record.rowCount ?? rows.length }
  }

  async cancel(tenant: TenantId, queryId: string): Promise<QueryRecord> {
    const run = this.runs.get(runKey(tenant, queryId))
    if (run) {
      this.stop(run, 'CANCELLED')
      return run.done
    }
    const record = await this.get(tenant, queryId)
    if (record.status !== 'RUNNING') return record
    // RUNNING on disk but not here: the process that ran it is gone, so it simply ends.
    const cancelled: QueryRecord = { ...record, status: 'CANCELLED', endedAt: this.now().toISOString() }
    await this.removeResult(tenant, queryId)
    await this.records.save(cancelled)
    await this.deps.store.delete(keys.runningQuery(tenant, queryId)).catch(() => undefined)
    this.remember(cancelled)
    return cancelled
  }

  async exportCsv(tenant: TenantId, queryId: string): Promise<Readable> {
    await this.succeeded(tenant, queryId)
    const small = await this.smallResults.load(tenant, queryId)
    if (small) return Readable.from([Buffer.from(smallResultCsv(small))])
    const { parquet } = await this.result(tenant, queryId)
    const csv = this.path(keys.resultCsv(tenant, queryId))
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

  invalidate(tenant: TenantId): void {
    this.stale.add(tenant)
    this.reuse.forget(tenant)
  }

  /**
   * Marks records left RUNNING by a process that died FAILED (answers how many). Only the index
   * of running queries is read, so start-up does not grow with the history; expired queries are
   * removed in the background right after, then hourly. A folder from before the index is read
   * whole, once.
   */
  async recover(): Promise<number> {
    this.expiring ??= setInterval(() => void this.expire().catch(() => undefined), EXPIRE_EVERY_MS).unref()
    const store = this.deps.store
    let recovered = 0
    if ((await store.size(keys.runningQueriesIndexed())) === undefined) {
      for await (const record of this.records.all()) {
        if (await this.removeIfExpired(record)) continue
        if (await this.recoverRecord(record)) recovered++
      }
      await store.putBytes(keys.runningQueriesIndexed(), '')
      return recovered
    }
    for (const marker of await store.list(keys.runningQueriesPrefix())) {
      const [, tenant, queryId] = marker.split('/')
      if (!tenant || !queryId || !isQueryId(queryId) || this.runs.has(`${tenant}/${queryId}`)) continue
      const record = await this.records.load(tenant as TenantId, queryId)
      if (record && (await this.recoverRecord(record))) recovered++
      await store.delete(marker)
    }
    setTimeout(() => void this.expire().catch(() => undefined), 0).unref()
    return recovered
  }

  /** A record left RUNNING by a process that died ends FAILED, its partial result removed. */
  private async recoverRecord(record: QueryRecord): Promise<boolean> {
    if (record.status !== 'RUNNING' || this.runs.has(runKey(record.tenant, record.queryId))) return false
    await this.removeResult(record.tenant, record.queryId)
    const error = { code: 'INTERRUPTED', message: RESTARTED }
    await this.records.save({ ...record, status: 'FAILED', endedAt: this.now().toISOString(), error })
    return true
  }

  /**
   * The local results lifecycle (an S3 lifecycle rule does this in the cloud): the record and the
   * result of every query that ended more than `resultTtlMs` ago are removed. Done at start-up (in
   * recover) and every hour after; answers how many were removed.
   */
  async expire(): Promise<number> {
    let removed = 0
    for await (const record of this.records.all()) if (await this.removeIfExpired(record)) removed++
    return removed
  }

  private async removeIfExpired(record: QueryRecord): Promise<boolean> {
    const cutoff = this.now().getTime() - this.deps.limits.resultTtlMs
    if (record.status === 'RUNNING' || !record.endedAt || Date.parse(record.endedAt) > cutoff) return false
    await this.removeResult(record.tenant, record.queryId, record.status === 'SUCCEEDED')
    await this.records.remove(record.tenant, record.queryId)
    this.forgetRecent(runKey(record.tenant, record.queryId))
    return true
  }

  async close(): Promise<void> {
    clearInterval(this.expiring)
    this.closing = true
    const runs = [...this.runs.values()]
    for (const run of runs) this.stop(run, 'SHUTDOWN')
    await Promise.all(runs.map((r) => r.done))
    this.spares.close()
    await this.pool.close()
  }

  private async launch(tenant: TenantId, queryId: string, sql: string, reusable: boolean): Promise<QueryRecord> {
    const record: QueryRecord = { queryId, tenant, sql, status: 'RUNNING', submittedAt: this.now().toISOString() }
    const tables = await this.deps.catalog.list(tenant)
    const version = reusable ? tablesVersion(tables) : undefined
    const earlier = version === undefined ? undefined : this.reuse.find(tenant, sql, version)
    // Reuse only saves work: if its result cannot be stored, the query runs as any other.
    const answered = earlier && (await this.answerFrom(record, earlier).catch(() => undefined))
    if (answered) return answered
    // Registered before anything is planned: planning is counted, timed and can be cancelled.
    const planned = Promise.withResolvers<QueryRecord>()
    planned.promise.catch(() => undefined)
    const run: Run = { record, settled: false, done: Promise.resolve(record), saved: Promise.resolve(), announced: false, callerWaiting: true, tables: version }
    const key = runKey(tenant, queryId)
    this.runs.set(key, run)
    const leased = Promise.withResolvers<void>()
    run.done = this.execute(run, tables, planned, leased.resolve)
    // A plan that ends soon answers now (its errors as errors); a long one goes on in the background.
    // The wait starts once the tenant's sandbox is there: starting its process is not planning.
    await Promise.race([leased.promise, planned.promise.catch(() => undefined)])
    let timer: NodeJS.Timeout | undefined
    const window = new Promise<undefined>((done) => (timer = setTimeout(() => done(undefined), PLAN_WAIT_MS)))
    let started: QueryRecord | undefined
    try {
      started = await Promise.race([planned.promise, window])
    } finally {
      clearTimeout(timer)
      run.callerWaiting = false
    }
    if (this.runs.get(key) !== run) return planned.promise // It failed as the window closed: say why.
    return started ?? { ...run.record }
  }

  /** Plans and runs; `planned` settles once planning has ended, with the record as it then was. */
  private async execute(run: Run, tables: TableEntry[], planned: PromiseWithResolvers<QueryRecord>, leased: () => void): Promise<QueryRecord> {
    const { tenant, queryId, sql } = run.record
    const key = runKey(tenant, queryId)
    const timer = setTimeout(() => this.stop(run, 'TIMEOUT'), this.deps.limits.timeoutMs)
    const lease = this.pool.acquire(tenant)
    let planning = true
    let reservation: Reservation | undefined
    let final: QueryRecord
    try {
      const { sandbox } = await lease
      run.sandbox = sandbox
      leased()
      if (run.stopReason) throw new Error('stopped before it started')
      await sandbox.sync(tables, this.stale.delete(tenant))
      const target = this.path(keys.resultParquet(tenant, queryId))
      run.record.columns = await sandbox.call({ op: 'plan', run: queryId, sql, target })
      planning = false
      planned.resolve({ ...run.record })
      await mkdir(this.path(keys.resultDir(tenant, queryId)), { recursive: true })
      reservation = await this.reserveResult(tenant)
      const outcome = await sandbox.call({
        op: 'execute',
        run: queryId,
        small: { rows: SMALL_RESULT_ROWS, bytes: SMALL_RESULT_BYTES },
        maxResultBytes: Math.min(this.deps.limits.maxResultBytes, reservation?.bytes ?? 0),
      })
      final = await this.outcome(run, outcome, reservation)
    } catch (err) {
      if (planning && run.callerWaiting && !run.stopReason) {
        // Refused or wrong SQL, told to the caller of start() as it waits: nothing to record.
        this.finish(run, timer, lease)
        this.runs.delete(key)
        planned.reject(err instanceof AppError ? new AppError(err.code, this.withoutServerPath(err.message), err.details) : err)
        return run.record
      }
      final = this.ended(run, { status: 'FAILED', error: this.errorOf(err) })
    }
    this.finish(run, timer, lease)
    reservation?.release() // Kept nothing (a result kept was committed in outcome()).
    planned.resolve({ ...run.record })
    run.record = final
    try {
      if (final.status !== 'SUCCEEDED') await this.removeResult(tenant, queryId)
      await run.saved
      await this.records.save(final)
      if (run.announced) await this.deps.store.delete(keys.runningQuery(tenant, queryId)).catch(() => undefined)
      this.remember(final)
      this.runs.delete(key)
    } catch {
      // Not persisted: the record stays in memory, so this process still answers with it.
    }
    return final
  }

  /**
   * The final record from what the sandbox answered; a small result is stored (and kept for
   * reuse), and what a kept result takes is committed to the tenant's quota.
   */
  private async outcome(run: Run, outcome: ExecuteOutcome, reservation: Reservation | undefined): Promise<QueryRecord> {
    const { tenant, queryId, columns = [] } = run.record
    if (outcome.kind === 'failed') return this.ended(run, { status: 'FAILED', error: this.runtimeError(outcome.error) })
    let bytes: number
    if (outcome.kind === 'small') {
      const { rows } = JSON.parse(outcome.json) as { rows: Cell[][] }
      bytes = await this.smallResults.save(tenant, queryId, { columns, rows }, outcome.json)
      if (run.tables !== undefined && !run.stopReason) this.reuse.remember(tenant, run.record.sql, run.tables, { queryId, columns, rows }, outcome.json.length)
    } else {
      bytes = await this.resultBytes(tenant, queryId)
    }
    const final = this.ended(run, { status: 'SUCCEEDED', rowCount: outcome.rowCount })
    // Counted only when kept: a run stopped meanwhile has its result removed, uncounted.
    if (final.status === 'SUCCEEDED') {
      if (reservation) reservation.commit(bytes)
      else this.deps.usage?.changed(tenant, bytes)
    }
    return final
  }

  /** The run no longer holds anything: timers stopped, its connection closed, its lease returned. */
  private finish(run: Run, timer: NodeJS.Timeout, lease: Promise<Lease<SandboxProcess>>): void {
    clearTimeout(timer)
    clearInterval(run.interrupter)
    clearTimeout(run.killer)
    run.settled = true
    run.sandbox?.call({ op: 'discard', run: run.record.queryId }).catch(() => undefined)
    lease.then((l) => l.release(), () => undefined)
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
    if (err instanceof SandboxGone) return { code: err.reason === 'memory' ? 'OUT_OF_MEMORY' : 'INTERRUPTED', message: err.message }
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

  /** A query answered with an identical earlier query's small result: stored as its own, nothing runs. */
  private async answerFrom(record: QueryRecord, earlier: ReusableResult): Promise<QueryRecord> {
    const { tenant, queryId } = record
    const bytes = await this.smallResults.save(tenant, queryId, { columns: earlier.columns, rows: earlier.rows })
    this.deps.usage?.changed(tenant, bytes)
    const final: QueryRecord = {
      ...record,
      status: 'SUCCEEDED',
      endedAt: this.now().toISOString(),
      columns: earlier.columns,
      rowCount: earlier.rows.length,
      reusedFrom: earlier.queryId,
    }
    await this.records.save(final)
    this.remember(final)
    return final
  }

  private remember(record: QueryRecord): void {
    const key = runKey(record.tenant, record.queryId)
    this.forgetRecent(key)
    this.recent.set(key, record)
    this.recentBytes += recordBytes(record)
    while (this.recent.size > RECENT_RECORDS || this.recentBytes > RECENT_RECORD_BYTES) this.forgetRecent(this.recent.keys().next().value!)
  }

  private forgetRecent(key: string): void {
    const record = this.recent.get(key)
    if (!record) return
    this.recent.delete(key)
    this.recentBytes -= recordBytes(record)
  }

  /** The final record; a stop requested before the end decides it, whatever the run did. */
  private ended(run: Run, outcome: Pick<QueryRecord, 'status' | 'rowCount' | 'error'>): QueryRecord {
    const base = { ...run.record, endedAt: this.now().toISOString() }
    switch (run.stopReason) {
      case 'CANCELLED':
        return { ...base, status: 'CANCELLED' }
      case 'TIMEOUT': {
        const limit = duration(this.deps.limits.timeoutMs)
        const message = `The query ran longer than ${limit}, the limit set by CSVLAKE_QUERY_TIMEOUT_MS, and was stopped.`
        return { ...base, status: 'FAILED', error: { code: 'TIMEOUT', message } }
      }
      case 'SHUTDOWN':
        return { ...base, status: 'FAILED', error: { code: 'INTERRUPTED', message: STOPPED } }
      default:
        return { ...base, ...outcome }
    }
  }

  private runtimeError(raw: QueryError): QueryError {
    const error = { ...raw, message: this.withoutServerPath(raw.message) }
    if (!error.message.startsWith('Out of Memory Error')) return error
    const spill = Math.round(this.deps.limits.maxTempBytes / 2 ** 20)
    const hint = ` Each tenant's queries share ${this.deps.limits.memoryLimit} (CSVLAKE_QUERY_MEMORY_LIMIT) and may spill ${spill} MiB to disk (CSVLAKE_QUERY_MAX_TEMP_BYTES).`
    return { ...error, message: error.message + hint }
  }

  /**
   * Interrupts until the run ends: an interrupt that lands between two steps would be lost. A run
   * still going after the grace (DuckDB's planner ignores interrupts) is ended by killing its
   * tenant's sandbox process; that tenant's other running queries end with it, saying why.
   */
  private stop(run: Run, reason: StopReason): void {
    if (run.settled || run.stopReason) return
    run.stopReason = reason
    const interrupt = () => run.sandbox?.interrupt(run.record.queryId)
    interrupt()
    run.interrupter = setInterval(interrupt, 50)
    run.interrupter.unref()
    run.killer = setTimeout(() => {
      if (!run.settled) run.sandbox?.kill('stopped')
    }, STOP_GRACE_MS)
    run.killer.unref()
  }

  private async succeeded(tenant: TenantId, queryId: string): Promise<QueryRecord> {
    const record = await this.get(tenant, queryId)
    if (record.status !== 'SUCCEEDED') {
      const why = record.status === 'RUNNING' ? 'rows can be read once it has SUCCEEDED' : 'it has no rows to read'
      throw new AppError('CONFLICT', `This query is ${record.status}; ${why}.`)
    }
    return record
  }

  private async result(tenant: TenantId, queryId: string) {
    const record = await this.succeeded(tenant, queryId)
    const parquet = this.path(keys.resultParquet(tenant, queryId))
    if (!(await exists(parquet))) throw new AppError('NOT_FOUND', 'The result of this query is no longer stored; run it again.')
    return { record, parquet }
  }

  private async writeCsv(tenant: TenantId, parquet: string, csv: string): Promise<void> {
    const lease = await this.pool.acquire(tenant)
    try {
      await lease.sandbox.call({ op: 'export', parquet, csv })
    } finally {
      lease.release()
    }
  }

  /**
   * Removes a query's result. Only a SUCCEEDED query's result was counted against the tenant's
   * quota (`counted`); what a failed or stopped run left was never added.
   */
  private async removeResult(tenant: TenantId, queryId: string, counted = false): Promise<void> {
    const bytes = counted ? await this.resultBytes(tenant, queryId) : 0
    await rm(this.path(keys.resultDir(tenant, queryId)), { recursive: true, force: true })
    if (bytes > 0) this.deps.usage?.changed(tenant, -bytes)
  }

  /** What a query's result folder holds on disk. */
  private async resultBytes(tenant: TenantId, queryId: string): Promise<number> {
    const dir = this.path(keys.resultDir(tenant, queryId))
    const names = await readdir(dir).catch(() => [] as string[])
    const sizes = await Promise.all(names.map((name) => stat(join(dir, name)).then((s) => s.size, () => 0)))
    return sizes.reduce((a, b) => a + b, 0)
  }

  /**
   * Room for a stored result, held while the query runs so concurrent uploads and queries cannot
   * together pass the quota: up to the configured bound, no more than the quota has left. With
   * nothing left it holds none (a small result answered from memory is kept all the same).
   */
  private async reserveResult(tenant: TenantId): Promise<Reservation | undefined> {
    const { usage } = this.deps
    if (!usage) return { bytes: Number.POSITIVE_INFINITY, commit: () => undefined, release: () => undefined, refusal: () => new AppError('INTERNAL', 'no quota') }
    try {
      return await usage.reserve(tenant, { atMost: this.deps.limits.maxResultBytes, what: "This query's result" })
    } catch (err) {
      if (err instanceof AppError && err.code === 'PAYLOAD_TOO_LARGE') return undefined
      throw err
    }
  }

  private path(key: string): string {
    return join(this.dataDir, key)
  }
}

/** About what a record holds in memory. */
function recordBytes(record: QueryRecord): number {
  return 512 + record.sql.length + (record.error?.message.length ?? 0) + (record.columns?.length ?? 0) * 64
}

function runKey(tenant: TenantId, queryId: string): string {
  return `${tenant}/${queryId}`
}

function duplicate(): AppError {
  return new AppError('CONFLICT', 'A query with this id exists already.')
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
