import type { DuckDBConnection } from '@duckdb/node-api'
import { stat } from 'node:fs/promises'
import { AppError } from '../../errors.ts'
import type { Cell } from '../../ports/query-runner.ts'
import { CsvExporter } from './duckdb-csv-export.ts'
import type { ExecuteOutcome, FromSandbox, SandboxReplies, SandboxRequest, SmallLimits, ToSandbox } from './duckdb-sandbox-protocol.ts'
import { TenantSandbox, type SandboxSettings } from './duckdb-sandbox.ts'
import { sqlString } from './duckdb-sql-text.ts'
import { planStatement, type StatementPlan } from './duckdb-statement.ts'
import { toCell } from './duckdb-values.ts'

/** A run on this side: its connection from before the prepare (so an interrupt reaches planning too), then its plan. */
type Run = { conn: DuckDBConnection; plan?: StatementPlan; interrupted: boolean; tooLarge?: number }

/** How often a Parquet result being written is measured against its bound. */
const RESULT_CHECK_MS = 100

/**
 * The sandbox process's side: one tenant's DuckDB instance, and the requests the engine sends it.
 * Only this process ever holds that tenant's rows in JavaScript, and never more than the byte
 * bounds the engine passes: a result over them is written as Parquet and paged from there.
 */
export class SandboxServer {
  private readonly runs = new Map<string, Run>()
  private readonly exporter = new CsvExporter()

  constructor(private readonly sandbox: TenantSandbox) {}

  static async open(settings: SandboxSettings): Promise<SandboxServer> {
    return new SandboxServer(await TenantSandbox.open(settings))
  }

  async handle(request: SandboxRequest): Promise<SandboxReplies[SandboxRequest['op']]> {
    switch (request.op) {
      case 'sync':
        if (request.force) this.sandbox.invalidate()
        await this.sandbox.syncViews(request.entries)
        return null
      case 'plan':
        return this.plan(request.run, request.sql, request.target)
      case 'execute':
        return this.execute(request.run, request.small, request.maxResultBytes)
      case 'discard':
        this.discard(request.run)
        return null
      case 'page':
        return this.page(request)
      case 'export':
        await this.exporter.write(request.parquet, request.csv)
        return null
    }
  }

  interrupt(runId: string): void {
    const run = this.runs.get(runId)
    if (!run) return
    run.interrupted = true
    run.conn.interrupt()
  }

  async close(): Promise<void> {
    for (const id of [...this.runs.keys()]) this.discard(id)
    await this.exporter.close()
    this.sandbox.close()
  }

  private async plan(runId: string, sql: string, target: string) {
    if (this.runs.has(runId)) throw new AppError('CONFLICT', 'A query with this id is running already.')
    const run: Run = { conn: await this.sandbox.connect(), interrupted: false }
    this.runs.set(runId, run)
    run.plan = await planStatement(run.conn, sql, target)
    return run.plan.columns
  }

  private async execute(runId: string, small: SmallLimits, maxResultBytes: number): Promise<ExecuteOutcome> {
    const run = this.runs.get(runId)
    if (!run?.plan) throw new AppError('CONFLICT', 'This query was not planned here.')
    const { plan } = run
    try {
      // Most answers are small: read them once and answer them from memory - within a byte bound
      // as well as a row bound, so one row of a billion list items cannot fill anyone's heap.
      const rows = await plan.readSmall(small.rows)
      if (rows) {
        const types = plan.columns.map((c) => c.type)
        const json = JSON.stringify({ rows: rows.map((row) => row.map((value, i) => toCell(value, types[i]))) })
        if (json.length <= small.bytes) return { kind: 'small', json, rowCount: rows.length }
      }
      return { kind: 'stored', rowCount: await this.store(run, plan, maxResultBytes) }
    } catch (err) {
      if (run.tooLarge !== undefined) return { kind: 'failed', error: tooLarge(run.tooLarge) }
      return { kind: 'failed', error: plan.describeError(err) }
    }
  }

  /** Writes the whole result as Parquet, interrupted as soon as the file passes its bound. */
  private async store(run: Run, plan: StatementPlan, maxBytes: number): Promise<number> {
    const watch = setInterval(() => {
      void stat(plan.target).then(
        (s) => {
          if (s.size <= maxBytes || run.tooLarge !== undefined) return
          run.tooLarge = maxBytes
          run.conn.interrupt()
        },
        () => undefined,
      )
    }, RESULT_CHECK_MS)
    try {
      const rowCount = await plan.run()
      const { size } = await stat(plan.target)
      if (size > maxBytes) {
        run.tooLarge = maxBytes
        throw new Error('result too large')
      }
      return rowCount
    } finally {
      clearInterval(watch)
    }
  }

  private discard(runId: string): void {
    const run = this.runs.get(runId)
    if (!run) return
    this.runs.delete(runId)
    try {
      run.conn.closeSync()
    } catch {
      // Closed with its instance already.
    }
  }

  /** Rows of a stored result, as many of `limit` as fit in `maxBytes` (at least one, or an error). */
  private async page(request: Extract<SandboxRequest, { op: 'page' }>) {
    const conn = await this.sandbox.connect()
    try {
      const sql = `SELECT * FROM read_parquet(${sqlString(request.parquet)}) LIMIT $1 OFFSET $2`
      const reader = await conn.runAndReadAll(sql, [BigInt(request.limit), BigInt(request.offset)])
      const rows: string[] = []
      let bytes = 0
      for (const row of reader.getRows()) {
        const text = JSON.stringify(row.map((value, i): Cell => toCell(value, request.types[i])))
        if (bytes + text.length > request.maxBytes) break
        rows.push(text)
        bytes += text.length + 1
      }
      if (rows.length === 0 && request.limit > 0 && reader.currentRowCount > 0) {
        const mib = Math.floor(request.maxBytes / 2 ** 20)
        throw new AppError('CONFLICT', `Row ${request.offset + 1} of this result is larger than the ${mib} MiB a page may hold; download the result as CSV instead.`)
      }
      return { json: `{"rows":[${rows.join(',')}]}` }
    } finally {
      conn.closeSync()
    }
  }
}

function tooLarge(maxBytes: number) {
  const mib = Math.round(maxBytes / 2 ** 20)
  return {
    code: 'RESULT_TOO_LARGE',
    message: `The result grew past ${mib} MiB, the most one query may store (CSVLAKE_QUERY_MAX_RESULT_BYTES, and your storage quota); add a LIMIT, a filter or an aggregate.`,
  }
}

/** Serves requests from the parent process over IPC until it disconnects. */
export async function serveOverIpc(settings: SandboxSettings): Promise<void> {
  const send = (message: FromSandbox) => process.send?.(message)
  const server = await SandboxServer.open(settings)
  process.on('message', (message: ToSandbox) => {
    if ('interrupt' in message) return server.interrupt(message.interrupt)
    if (!('id' in message)) return
    server.handle(message.request).then(
      (value) => send({ id: message.id, ok: true, value }),
      (err: unknown) => send({ id: message.id, ok: false, error: errorFields(err) }),
    )
  })
  process.once('disconnect', () => {
    void server.close().finally(() => process.exit(0))
  })
  send({ ready: true })
}

function errorFields(err: unknown) {
  if (err instanceof AppError) return { code: err.code, message: err.message, details: { ...err.details } }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'INTERNAL', message, details: {} }
}

// Started as a process of its own (see SandboxProcess), ahead of need: by the time it says it is
// a spare, DuckDB is loaded; the tenant it serves comes with the first message.
if (process.send && process.env.CSVLAKE_SANDBOX_WORKER === '1') {
  process.once('message', (message: ToSandbox) => {
    if ('open' in message) void serveOverIpc(message.open)
  })
  process.send({ spare: true } satisfies FromSandbox)
}
