import { parse } from 'csv-parse/sync'
import type { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import { tenantId } from '../tenant.ts'
import type { Cell, QueryRunner, RunStatus } from './query-runner.ts'
import type { ScriptedAnswer } from '../adapters/fake/fake-athena.ts'

/**
 * The SQL the contract runs, and what an engine must answer. A real engine (DuckDB now, Athena
 * next) runs it; a fake engine is scripted with `contractAnswers` below.
 */
export const CONTRACT_SQL = {
  small: "SELECT 42 AS answer, 'x' AS label",
  paged: 'SELECT range AS n FROM range(2500) ORDER BY n',
  wrong: 'SELECT FROM WHERE',
  long: 'SELECT count(*) FROM range(10000000000) a WHERE a.range % 19 = 3',
} as const

/** How an Athena-like fake answers the contract's SQL, as Athena would (strings, late errors). */
export function contractAnswers(sql: string): ScriptedAnswer {
  switch (sql) {
    case CONTRACT_SQL.small:
      return { columns: [{ Name: 'answer', Type: 'integer' }, { Name: 'label', Type: 'varchar' }], rows: [['42', 'x']] }
    case CONTRACT_SQL.paged:
      return { columns: [{ Name: 'n', Type: 'bigint' }], rows: Array.from({ length: 2500 }, (_, i) => [String(i)]), runMs: 40 }
    case CONTRACT_SQL.long:
      return { columns: [{ Name: '_col0', Type: 'bigint' }], rows: [['0']], runMs: 600_000 }
    default:
      return { fail: { reason: "line 1:8: mismatched input 'FROM'. Expecting: '*', <expression>" } }
  }
}

export type RunnerSetup = { runner: QueryRunner; close(): Promise<void> }

const ACME = tenantId('acme')
const BRAVO = tenantId('bravo')
let n = 0
const token = () => `q_contract${process.pid}${Date.now()}${n++}`

/**
 * The QueryRunner contract: what the domain's QueryService relies on, whichever engine runs the
 * SQL. Run against the DuckDB runner and the Athena-like fake today; the Athena adapter next.
 */
export function queryRunnerContract(name: string, setup: () => Promise<RunnerSetup>): void {
  describe(`QueryRunner contract: ${name}`, () => {
    let ctx: RunnerSetup
    beforeEach(async () => {
      ctx = await setup()
    })
    afterEach(() => ctx.close())

    const start = (sql: string, tenant = ACME, t = token()) => ctx.runner.start(tenant, sql, { token: t, tables: [], maxResultBytes: 2 ** 30 })
    const ended = async (id: string, tenant = ACME): Promise<RunStatus> => {
      for (let i = 0; i < 100; i++) {
        const status = await ctx.runner.status(tenant, id, 200)
        if (status && status.state !== 'RUNNING') return status
      }
      throw new Error('the run did not end')
    }
    const readAll = async (id: string, maxRows: number) => {
      const rows: Cell[][] = []
      let next: string | undefined
      let pages = 0
      do {
        const page = await ctx.runner.read(ACME, id, { maxRows, ...(next === undefined ? {} : { token: next }) })
        expect(page.rows.length).toBeLessThanOrEqual(maxRows)
        rows.push(...page.rows)
        next = page.rows.length > 0 ? page.next : undefined
        if (++pages > 20) throw new Error('paging did not end')
      } while (next !== undefined)
      return rows
    }

    it('answers an id of its own for a start, and the same id for the same token again', async () => {
      const t = token()
      const id = await start(CONTRACT_SQL.small, ACME, t)
      expect(typeof id).toBe('string')
      expect(await start(CONTRACT_SQL.small, ACME, t)).toBe(id)
      await ended(id)
    })

    it('ends a small query SUCCEEDED with its columns, row count and rows typed as JSON', async () => {
      const id = await start(CONTRACT_SQL.small)
      const status = await ended(id)
      expect(status).toMatchObject({ state: 'SUCCEEDED', rowCount: 1, columns: [{ name: 'answer', type: 'int' }, { name: 'label', type: 'string' }] })
      const rows = status.small ? status.small.rows : (await ctx.runner.read(ACME, id, { maxRows: 1000 })).rows
      expect(rows).toEqual([[42, 'x']])
    })

    it('reads a big result forward by its tokens, every row once and in order, no page over maxRows', async () => {
      const id = await start(CONTRACT_SQL.paged)
      const status = await ended(id)
      expect(status).toMatchObject({ state: 'SUCCEEDED', rowCount: 2500, columns: [{ name: 'n', type: 'bigint' }] })
      expect(status.small).toBeUndefined()
      const rows = await readAll(id, 1000)
      expect(rows).toEqual(Array.from({ length: 2500 }, (_, i) => [i]))
    })

    it('exports the whole stored result as CSV with a header row', async () => {
      const id = await start(CONTRACT_SQL.paged)
      await ended(id)
      const csv = parse(await text(await ctx.runner.exportCsv(ACME, id))) as string[][]
      expect(csv[0]).toEqual(['n'])
      expect(csv.slice(1)).toEqual(Array.from({ length: 2500 }, (_, i) => [String(i)]))
    })

    it('reports wrong SQL as SQL_ERROR with its line and column, thrown at the start or as FAILED later', async () => {
      let error: { code: string; line?: number; column?: number }
      try {
        const id = await start(CONTRACT_SQL.wrong)
        const status = await ended(id)
        expect(status.state).toBe('FAILED')
        error = status.error!
      } catch (err) {
        expect(err).toBeInstanceOf(AppError)
        error = { code: (err as AppError).code, ...(err as AppError).details }
      }
      expect(error).toMatchObject({ code: 'SQL_ERROR', line: 1, column: expect.any(Number) })
    })

    it('stops a running query: it ends CANCELLED, soon', async () => {
      const id = await start(CONTRACT_SQL.long)
      expect((await ctx.runner.status(ACME, id))?.state).toBe('RUNNING')
      const began = Date.now()
      await ctx.runner.stop(ACME, id)
      expect((await ended(id)).state).toBe('CANCELLED')
      expect(Date.now() - began).toBeLessThan(5000)
    })

    it('knows nothing of another tenant’s execution', async () => {
      const id = await start(CONTRACT_SQL.paged)
      await ended(id)
      expect(await ctx.runner.status(BRAVO, id)).toBeUndefined()
      await expect(ctx.runner.read(BRAVO, id, { maxRows: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(ctx.runner.exportCsv(BRAVO, id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect(await ctx.runner.remove(BRAVO, id)).toBe(0)
      expect((await ctx.runner.read(ACME, id, { maxRows: 1 })).rows).toEqual([[0]])
    })

    it('removes a stored result, answering the bytes freed; reading it then is NOT_FOUND', async () => {
      const id = await start(CONTRACT_SQL.paged)
      const status = await ended(id)
      expect(status.resultBytes).toBeGreaterThan(0)
      expect(await ctx.runner.remove(ACME, id)).toBeGreaterThan(0)
      await expect(ctx.runner.read(ACME, id, { maxRows: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(ctx.runner.exportCsv(ACME, id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('refuses a page token it did not give out', async () => {
      const id = await start(CONTRACT_SQL.paged)
      await ended(id)
      await expect(ctx.runner.read(ACME, id, { maxRows: 10, token: 'not-a-token' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    })
  })
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks).toString('utf8')
}
