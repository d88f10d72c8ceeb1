import type { Readable } from 'node:stream'
import { Readable as ReadableStream } from 'node:stream'
import { AppError, notFound } from '../errors.ts'
import type { Reservation, StorageUsage } from '../files/storage-usage.ts'
import { keys } from '../keys.ts'
import type { Catalog, Column, TableEntry } from '../ports/catalog.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { Cell, QueryRunner, RunStatus } from '../ports/query-runner.ts'
import type { TenantSlots } from '../ports/tenant-slots.ts'
import type { TenantId } from '../tenant.ts'
import { InProcessSlots } from '../limits/in-process-slots.ts'
import { MAX_PAGE_ROWS } from './page-token.ts'
import { executionOf, isQueryId, QueryRecords, type QueryRecord } from './query-records.ts'
import { isReusable, ResultReuse, tablesVersion, type ReusableResult } from './result-reuse.ts'
import { SmallResults, smallResultCsv } from './small-results.ts'
import { resolveTimeTravel, timeTravelRefs, versionEntry, type VersionedTable } from './time-travel.ts'

export type { QueryRecord, QueryStatus } from './query-records.ts'

export type StartOptions = {
  /** May an identical earlier query's result answer this one (default true)? */
  reuse?: boolean
}

/** Where a page starts: its row, and the engine's token for that row when the engine gave one. */
export type PageAt = { offset: number; token?: string }

export type ResultPage = { columns: Column[]; rows: Cell[][]; offset: number; rowCount: number; next?: PageAt }

/**
 * A tenant's queries, whatever engine runs them: what the query function calls. Records,
 * per-tenant limits, reuse, small results, expiry and recovery are the same for every engine
 * (see QueryService); running the SQL is the QueryRunner's.
 */
export interface QueryEngine {
  /**
   * Checks and starts one read-only statement. Throws AppError SQL_ERROR (with line and column
   * where known) when the engine finds the SQL wrong at once, FORBIDDEN when it is not a read; an
   * error found later ends the query FAILED. Unless `options.reuse` is false, the same SQL over
   * tables unchanged since it last ran may be answered from that run's result (`reusedFrom`).
   */
  start(tenant: TenantId, queryId: string, sql: string, options?: StartOptions): Promise<QueryRecord>
  /** The record once the query has ended or `waitMs` has passed, whichever is first. */
  wait(tenant: TenantId, queryId: string, waitMs: number): Promise<QueryRecord>
  /** Throws AppError NOT_FOUND for an unknown id or another tenant's. */
  get(tenant: TenantId, queryId: string): Promise<QueryRecord>
  /**
   * Up to `limit` rows of a SUCCEEDED query's result from `at` (a number: that row), and where the
   * next page starts. An engine that reads forward only (Athena) needs the `next` of the page before.
   */
  page(tenant: TenantId, queryId: string, at: number | PageAt, limit: number): Promise<ResultPage>
  /** Stops a running query; its status becomes CANCELLED. */
  cancel(tenant: TenantId, queryId: string): Promise<QueryRecord>
  /** The whole stored result as CSV with a header row, streamed. */
  exportCsv(tenant: TenantId, queryId: string): Promise<Readable>
  /** Drops what is kept of a tenant's tables, after the catalog changed. */
  invalidate(tenant: TenantId): void
  /** Gets ready for the first query ahead of it; optional. */
  warm?(): void
  close(): Promise<void>
}

export type QueryServiceDeps = {
  runner: QueryRunner
  store: ObjectStore
  catalog: Catalog
  limits: { timeoutMs: number; resultTtlMs: number; maxResultBytes: number }
  /** How many queries one tenant may have running at once (fair sharing), counted in `slots`. */
  maxRunningPerTenant?: number
  /** Where running queries are counted: in this process (local mode), or where every replica sees them. */
  slots?: TenantSlots
  /** What each tenant keeps against its quota: results count, and are bounded by what is left. */
  usage?: StorageUsage
  now?: () => Date
  /** Told each query this process started once it has ended (for /metrics), with its final record. */
  ended?: (record: QueryRecord) => void
}

/** A query this process started: `record` is RUNNING until the end. */
type Run = {
  record: QueryRecord
  executionId: string
  settled: boolean
  /** Resolves to the final record once it is persisted (or could not be). Never rejects. */
  done: Promise<QueryRecord>
  /** Saves of this run's record, in order: a late RUNNING save never overwrites the final one. */
  saved: Promise<void>
  /** Whether the RUNNING record was written (only for queries still running when a caller stops waiting). */
  announced: boolean
  /** Room held in the tenant's quota for the result while it runs. */
  reservation: Reservation | undefined
  /** The version of the tenant's tables the query reads, when its result may be reused. */
  tables?: string
}

/** Final records kept in memory, so the page that follows a query does not read its record back. */
const RECENT_RECORDS = 1000
const RECENT_RECORD_BYTES = 8 * 2 ** 20
/** A result of at most this many rows, and this many bytes as JSON, is kept by csvlake as JSON. */
const SMALL_RESULT_ROWS = MAX_PAGE_ROWS
const SMALL_RESULT_BYTES = 4 * 2 ** 20
/** How long one status call to the engine may wait while this process follows a run. */
const FOLLOW_MS = 60_000
/** The least time between two status calls of one run. */
const POLL_FLOOR_MS = 50
/** How long past its time limit a query's slot is held at most (a replica that died frees it then). */
const SLOT_GRACE_MS = 60_000
/** How often ended queries past their time to live are removed. */
const EXPIRE_EVERY_MS = 3_600_000

const RESTARTED = 'csvlake restarted while this query was running; run it again.'

/**
 * The rules of a tenant's queries that do not depend on the engine, over a QueryRunner: query
 * records in the store (queries/{tenant}/{queryId}.json), the index of running ones, the
 * per-tenant limit, reuse of small results over unchanged tables, small results kept as JSON,
 * the quota a result takes, expiry and recovery after a restart.
 */
export class QueryService implements QueryEngine {
  private readonly now: () => Date
  private readonly records: QueryRecords
  private readonly smallResults: SmallResults
  private readonly runs = new Map<string, Run>()
  private readonly reuse = new ResultReuse()
  private readonly recent = new Map<string, QueryRecord>()
  private recentBytes = 0
  private readonly starting = new Set<string>()
  private readonly slots: TenantSlots
  private closing = false
  private expiring: NodeJS.Timeout | undefined

  constructor(private readonly deps: QueryServiceDeps) {
    this.now = deps.now ?? (() => new Date())
    this.records = new QueryRecords(deps.store)
    this.slots = deps.slots ?? new InProcessSlots()
    this.smallResults = new SmallResults(deps.store)
  }

  warm(): void {
    if (!this.closing) this.deps.runner.warm?.()
  }

  async start(tenant: TenantId, queryId: string, sql: string, options: StartOptions = {}): Promise<QueryRecord> {
    if (this.closing) throw new AppError('UNAVAILABLE', 'The query engine is shutting down.')
    if (!isQueryId(queryId)) throw new AppError('BAD_REQUEST', 'A query id is letters, digits, _ and -.')
    const key = runKey(tenant, queryId)
    if (this.starting.has(key) || this.runs.has(key)) throw duplicate()
    this.starting.add(key)
    let holding = false
    try {
      // Taken from the start: concurrent starts cannot all slip under the limit.
      holding = await this.takeSlot(tenant, queryId)
      if (await this.records.exists(tenant, queryId)) throw duplicate()
      const record = await this.launch(tenant, queryId, sql, options.reuse !== false && isReusable(sql))
      // A run holds its slot until it ends (see follow); an answer without a run frees it now.
      if (this.runs.has(key)) holding = false
      return record
    } finally {
      this.starting.delete(key)
      if (holding) await this.freeSlot(tenant, queryId)
    }
  }

  async wait(tenant: TenantId, queryId: string, waitMs: number): Promise<QueryRecord> {
    const run = this.runs.get(runKey(tenant, queryId))
    if (run && !run.settled) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((done) => (timer = setTimeout(done, Math.max(0, waitMs))))
      await Promise.race([run.done, timeout])
      clearTimeout(timer)
      // The caller stops waiting: from now on other readers (a restart, another replica) must
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
    return record.status === 'RUNNING' ? this.refresh(record) : record
  }

  async page(tenant: TenantId, queryId: string, at: number | PageAt, limit: number): Promise<ResultPage> {
    const { offset, token } = typeof at === 'number' ? { offset: at } : at
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 0) {
      throw new AppError('BAD_REQUEST', 'offset and limit are whole numbers, 0 or more.')
    }
    const record = await this.succeeded(tenant, queryId)
    const rowCount = record.rowCount ?? 0
    const small = await this.smallResults.load(tenant, queryId)
    if (small) {
      const rows = small.rows.slice(offset, offset + limit)
      const end = offset + rows.length
      return { columns: record.columns ?? small.columns, rows, offset, rowCount: small.rows.length, ...(end < small.rows.length ? { next: { offset: end } } : {}) }
    }
    const { runner } = this.deps
    const from = token ?? (offset === 0 ? undefined : runner.tokenAt?.(offset))
    if (offset > 0 && from === undefined) {
      throw new AppError('BAD_REQUEST', 'This result is read forward only: ask for the next page with the nextToken of the page before.')
    }
    try {
      const page = await runner.read(tenant, executionOf(record), { ...(from === undefined ? {} : { token: from }), maxRows: limit, ...(record.columns ? { columns: record.columns } : {}) })
      const end = offset + page.rows.length
      return {
        columns: record.columns ?? [],
        rows: page.rows,
        offset,
        rowCount,
        ...(page.next !== undefined && end < rowCount ? { next: { offset: end, token: page.next } } : {}),
      }
    } catch (err) {
      // Said with the query's id: the first page is read while POST /api/query answers.
      if (err instanceof AppError) throw new AppError(err.code, err.message, { ...err.details, queryId })
      throw err
    }
  }

  async cancel(tenant: TenantId, queryId: string): Promise<QueryRecord> {
    const run = this.runs.get(runKey(tenant, queryId))
    if (run) {
      await this.deps.runner.stop(tenant, run.executionId)
      return run.done
    }
    const record = await this.get(tenant, queryId)
    if (record.status !== 'RUNNING') return record
    // Running, but not in this process: the engine is asked to stop it (Athena stops it from
    // any replica; locally the process that ran it is gone), and it ends here.
    await this.deps.runner.stop(tenant, executionOf(record)).catch(() => undefined)
    const cancelled: QueryRecord = { ...record, status: 'CANCELLED', endedAt: this.now().toISOString() }
    await this.removeResult(record)
    await this.records.save(cancelled)
    await this.deps.store.delete(keys.runningQuery(tenant, queryId)).catch(() => undefined)
    await this.freeSlot(tenant, queryId)
    this.remember(cancelled)
    return cancelled
  }

  async exportCsv(tenant: TenantId, queryId: string): Promise<Readable> {
    const record = await this.succeeded(tenant, queryId)
    const small = await this.smallResults.load(tenant, queryId)
    if (small) return ReadableStream.from([Buffer.from(smallResultCsv(small))])
    return this.deps.runner.exportCsv(tenant, executionOf(record))
  }

  invalidate(tenant: TenantId): void {
    this.deps.runner.invalidate(tenant)
    this.reuse.forget(tenant)
  }

  /**
   * Ends the records left RUNNING by a process that died (answers how many): an engine that still
   * knows the execution (Athena) tells how it ended; one that does not (a local process that died)
   * ends it FAILED. Only the index of running queries is read, so start-up does not grow with the
   * history; expired queries are removed in the background right after, then hourly. A folder
   * from before the index is read whole, once.
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
    for await (const marker of store.keys(keys.runningQueriesPrefix())) {
      const [, tenant, queryId] = marker.split('/')
      if (!tenant || !queryId || !isQueryId(queryId) || this.runs.has(`${tenant}/${queryId}`)) continue
      const record = await this.records.load(tenant as TenantId, queryId)
      if (record && (await this.recoverRecord(record))) recovered++
      await store.delete(marker)
    }
    setTimeout(() => void this.expire().catch(() => undefined), 0).unref()
    return recovered
  }

  private async recoverRecord(record: QueryRecord): Promise<boolean> {
    if (record.status !== 'RUNNING' || this.runs.has(runKey(record.tenant, record.queryId))) return false
    const status = await this.deps.runner.status(record.tenant, executionOf(record)).catch(() => undefined)
    // The engine still runs it (Athena outlives any process): it stays RUNNING, and a read
    // refreshes it until it ends. Only a run nobody runs any more (a local sandbox that died) fails.
    if (status?.state === 'RUNNING') return false
    if (status) {
      await this.settle(record, status)
      return true
    }
    await this.removeResult(record)
    const error = { code: 'INTERRUPTED', message: RESTARTED }
    await this.records.save({ ...record, status: 'FAILED', endedAt: this.now().toISOString(), error })
    await this.freeSlot(record.tenant, record.queryId)
    return true
  }

  /**
   * The results lifecycle (an S3 lifecycle rule does this in the cloud): the record and the result
   * of every query that ended more than `resultTtlMs` ago are removed. Done at start-up (in
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
    await this.removeResult(record, record.status === 'SUCCEEDED')
    await this.records.remove(record.tenant, record.queryId)
    this.forgetRecent(runKey(record.tenant, record.queryId))
    return true
  }

  async close(): Promise<void> {
    clearInterval(this.expiring)
    this.closing = true
    // The engine ends what runs (as FAILED, interrupted); each run's record is then saved.
    const runs = [...this.runs.values()]
    await this.deps.runner.close()
    await Promise.all(runs.map((r) => r.done))
  }

  /**
   * The SQL the engine runs, with references to earlier versions (`orders FOR VERSION AS OF 3`)
   * rewritten to those versions' relations. The tables referenced so are read with their versions
   * (a listing may leave them out: Glue's GetTables does). A reference it cannot read fails here,
   * as a SQL error at its line; so does time travel on an engine without it.
   */
  private async timeTravel(record: QueryRecord, tables: TableEntry[]): Promise<{ sql: string; versions: VersionedTable[] }> {
    const refs = timeTravelRefs(record.sql)
    if (refs.length === 0) return { sql: record.sql, versions: [] }
    if (!this.deps.runner.timeTravel) {
      const line = record.sql.slice(0, refs[0]!.start).split('\n').length
      throw new AppError('SQL_ERROR', 'Reading an earlier version of a table (FOR VERSION AS OF) is not available on this deployment; query the current table, or roll it back first.', { line })
    }
    const named = new Set(refs.map((r) => r.table))
    const withVersions = await Promise.all(tables.map(async (t) => (named.has(t.name) ? ((await this.deps.catalog.get(t.tenant, t.name, { versions: true })) ?? t) : t)))
    return resolveTimeTravel(record.sql, withVersions, this.deps.runner.timeTravel)
  }

  /** Runs `check`; what it throws is recorded (recordRefusal) and thrown on. */
  private async refusedAs<T>(record: QueryRecord, check: () => T | Promise<T>): Promise<T> {
    try {
      return await check()
    } catch (err) {
      await this.recordRefusal(record, err)
      throw err
    }
  }

  /**
   * Refused or wrong SQL, found before the engine answered: nothing ran, but the tenant's
   * history shows the attempt and why it failed (a record, ended at once).
   */
  private async recordRefusal(record: QueryRecord, err: unknown): Promise<void> {
    if (!(err instanceof AppError && (err.code === 'SQL_ERROR' || err.code === 'FORBIDDEN'))) return
    const { line, column } = err.details
    const error = { code: err.code, message: err.message, ...(typeof line === 'number' ? { line } : {}), ...(typeof column === 'number' ? { column } : {}) }
    await this.records.save({ ...record, status: 'FAILED', endedAt: this.now().toISOString(), error }).catch(() => undefined)
  }

  private async launch(tenant: TenantId, queryId: string, sql: string, reusable: boolean): Promise<QueryRecord> {
    const record: QueryRecord = { queryId, tenant, sql, status: 'RUNNING', submittedAt: this.now().toISOString() }
    const current = await this.deps.catalog.list(tenant)
    const travel = await this.refusedAs(record, () => this.timeTravel(record, current))
    // The engine reads parts and columns: the version history stays here (it goes to the sandbox on every change).
    const tables = [...current.map(withoutHistory), ...travel.versions.map((v) => withoutHistory({ ...versionEntry(v), name: `${v.schema}.${v.entry.name}` }))]
    const version = reusable ? tablesVersion(tables) : undefined
    const earlier = version === undefined ? undefined : this.reuse.find(tenant, sql, version)
    // Reuse only saves work: if its result cannot be stored, the query runs as any other.
    const answered = earlier && (await this.answerFrom(record, earlier).catch(() => undefined))
    if (answered) return answered
    // Room for the result, held while it runs so concurrent uploads and queries cannot together
    // pass the quota; with nothing left, only a small result (kept all the same) can succeed.
    const reservation = await this.reserveResult(tenant)
    let executionId: string
    try {
      executionId = await this.deps.runner.start(tenant, travel.sql, {
        token: queryId,
        tables,
        maxResultBytes: Math.min(this.deps.limits.maxResultBytes, reservation?.bytes ?? 0),
      })
    } catch (err) {
      reservation?.release()
      await this.recordRefusal(record, err)
      throw err
    }
    record.executionId = executionId
    const run: Run = { record, executionId, settled: false, done: Promise.resolve(record), saved: Promise.resolve(), announced: false, reservation, ...(version === undefined ? {} : { tables: version }) }
    const key = runKey(tenant, queryId)
    this.runs.set(key, run)
    // What the engine knows already (the columns, once planned; or that it has ended).
    const first = await this.deps.runner.status(tenant, executionId).catch(() => undefined)
    if (first?.columns) run.record.columns = first.columns
    run.done = this.follow(run)
    return { ...run.record }
  }

  /** Follows a run of this process to its end, then settles its record. */
  private async follow(run: Run): Promise<QueryRecord> {
    const { tenant, queryId } = run.record
    let status: RunStatus | undefined
    try {
      for (;;) {
        const asked = Date.now()
        status = await this.deps.runner.status(tenant, run.executionId, FOLLOW_MS)
        if (status?.columns && !run.record.columns) run.record.columns = status.columns
        if (status?.state !== 'RUNNING') break
        // An engine that answers RUNNING at once is asked again a moment later, not in a tight loop.
        if (Date.now() - asked < POLL_FLOOR_MS) await new Promise((done) => setTimeout(done, POLL_FLOOR_MS))
      }
    } catch (err) {
      status = { state: 'FAILED', error: { code: 'INTERRUPTED', message: err instanceof Error ? err.message : String(err) } }
    }
    run.settled = true
    status ??= { state: 'FAILED', error: { code: 'INTERRUPTED', message: RESTARTED } }
    let final: QueryRecord
    try {
      final = await this.ended(run, status)
    } catch (err) {
      final = this.withEnd(run.record, { state: 'FAILED', error: { code: 'INTERNAL', message: `The result could not be kept: ${err instanceof Error ? err.message : String(err)}` } })
      await this.removeResult(final).catch(() => undefined)
    }
    run.reservation?.release() // Kept nothing more (a result kept was committed in ended()).
    await this.freeSlot(tenant, queryId)
    run.record = final
    try {
      await run.saved
      await this.records.save(final)
      if (run.announced) await this.deps.store.delete(keys.runningQuery(tenant, queryId)).catch(() => undefined)
      this.remember(final)
      this.runs.delete(runKey(tenant, queryId))
    } catch {
      // Not persisted: the record stays in memory, so this process still answers with it.
    }
    this.deps.ended?.(final)
    return final
  }

  /**
   * The final record of a run of this process: a small result is stored (and kept for reuse), and
   * what a kept result takes is committed to the tenant's quota; a run that did not succeed keeps
   * nothing.
   */
  private async ended(run: Run, status: RunStatus): Promise<QueryRecord> {
    const { tenant, queryId } = run.record
    const final = this.withEnd(run.record, status)
    if (final.status !== 'SUCCEEDED') {
      await this.removeResult(final)
      return final
    }
    let bytes = status.resultBytes ?? 0
    const small = status.small ?? (await this.readSmall(run.executionId, final))
    if (small) {
      const columns = final.columns ?? []
      bytes += await this.smallResults.save(tenant, queryId, { columns, rows: small.rows }, small.json)
      if (run.tables !== undefined) this.reuse.remember(tenant, final.sql, run.tables, { queryId, columns, rows: small.rows }, small.json.length)
    }
    if (run.reservation) run.reservation.commit(bytes)
    else this.deps.usage?.changed(tenant, bytes)
    return final
  }

  /**
   * A result of at most one page that the engine did not hand back with its end (Athena) is read
   * once and kept as JSON too: its pages, exports and reuse then need no engine call. Undefined
   * when it is bigger, or cannot be read whole in one page.
   */
  private async readSmall(executionId: string, record: QueryRecord): Promise<RunStatus['small']> {
    const rowCount = record.rowCount ?? Number.POSITIVE_INFINITY
    if (rowCount > SMALL_RESULT_ROWS) return undefined
    const page = await this.deps.runner
      .read(record.tenant, executionId, { maxRows: SMALL_RESULT_ROWS, ...(record.columns ? { columns: record.columns } : {}) })
      .catch(() => undefined)
    if (!page || page.rows.length !== rowCount) return undefined
    const json = JSON.stringify({ rows: page.rows })
    return json.length <= SMALL_RESULT_BYTES ? { rows: page.rows, json } : undefined
  }

  /** Ends a record this process did not run, from what the engine says of it. */
  private async settle(record: QueryRecord, status: RunStatus): Promise<QueryRecord> {
    const final = this.withEnd(record, status)
    if (final.status === 'SUCCEEDED') this.deps.usage?.changed(record.tenant, status.resultBytes ?? 0)
    else await this.removeResult(final)
    await this.records.save(final)
    await this.deps.store.delete(keys.runningQuery(record.tenant, record.queryId)).catch(() => undefined)
    // The replica that ran it frees its slot as it follows it to the end; one that died cannot.
    await this.freeSlot(record.tenant, record.queryId)
    this.remember(final)
    return final
  }

  /** Takes one of the tenant's query slots (answers whether one is held), or refuses with 429. */
  private async takeSlot(tenant: TenantId, queryId: string): Promise<boolean> {
    const max = this.deps.maxRunningPerTenant
    if (max === undefined) return false
    // A slot outlives its query's time limit only by the grace a stop takes: a replica that died frees it then.
    const grant = await this.slots.acquire(tenant, 'queries', queryId, { max, ttlMs: this.deps.limits.timeoutMs + SLOT_GRACE_MS })
    if (!grant.taken) {
      throw new AppError('TOO_MANY_REQUESTS', `You have ${grant.held} queries running, the most one user may (CSVLAKE_TENANT_MAX_QUERIES); wait for one to end or cancel one.`, { retryAfterSeconds: 1 })
    }
    return true
  }

  private async freeSlot(tenant: TenantId, queryId: string): Promise<void> {
    if (this.deps.maxRunningPerTenant !== undefined) await this.slots.release(tenant, 'queries', queryId).catch(() => undefined)
  }

  /**
   * A RUNNING record this process does not run: another replica (or a process that died) started
   * it. An engine that knows the execution says whether it has ended since.
   */
  private async refresh(record: QueryRecord): Promise<QueryRecord> {
    const status = await this.deps.runner.status(record.tenant, executionOf(record)).catch(() => undefined)
    if (!status || status.state === 'RUNNING') return record
    return this.settle(record, status)
  }

  private withEnd(record: QueryRecord, status: RunStatus): QueryRecord {
    const { state, columns, rowCount, error } = status
    return {
      ...record,
      status: state === 'RUNNING' ? 'FAILED' : state,
      endedAt: this.now().toISOString(),
      ...(columns && !record.columns ? { columns } : {}),
      ...(state === 'SUCCEEDED' ? { rowCount: rowCount ?? status.small?.rows.length ?? 0 } : {}),
      ...(state === 'FAILED' && error ? { error } : {}),
      ...(status.stats?.scannedBytes !== undefined ? { scannedBytes: status.stats.scannedBytes } : {}),
      ...(status.stats?.engineMs !== undefined ? { engineMs: status.stats.engineMs } : {}),
    }
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
    this.deps.ended?.(final)
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

  private async succeeded(tenant: TenantId, queryId: string): Promise<QueryRecord> {
    const record = await this.get(tenant, queryId)
    if (record.status !== 'SUCCEEDED') {
      const why = record.status === 'RUNNING' ? 'rows can be read once it has SUCCEEDED' : 'it has no rows to read'
      throw new AppError('CONFLICT', `This query is ${record.status}; ${why}.`)
    }
    return record
  }

  /**
   * Removes a query's result, kept by csvlake (small) and by the engine. Only a SUCCEEDED query's
   * result was counted against the tenant's quota (`counted`); what a failed or stopped run left
   * was never added.
   */
  private async removeResult(record: QueryRecord, counted = false): Promise<void> {
    const { tenant, queryId } = record
    const small = await this.smallResults.remove(tenant, queryId)
    const engine = record.reusedFrom ? 0 : await this.deps.runner.remove(tenant, executionOf(record))
    if (counted && small + engine > 0) this.deps.usage?.changed(tenant, -(small + engine))
  }

  /**
   * Room for a stored result: up to the configured bound, no more than the quota has left. With
   * nothing left it holds none (a small result is kept all the same).
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

export { MAX_PAGE_ROWS }

/** An entry without its version records and kept parts: what an engine needs of a table. */
function withoutHistory({ versions: _versions, keptParts: _kept, ...entry }: TableEntry): TableEntry {
  return entry
}
