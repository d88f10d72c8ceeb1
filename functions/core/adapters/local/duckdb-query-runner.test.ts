import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tenantId } from '../../tenant.ts'
import { TEST_QUERY_LIMITS } from '../../../testing/query-limits.ts'
import { DuckDbQueryRunner } from './duckdb-query-runner.ts'

const ACME = tenantId('acme')
let dataDir: string
let runner: DuckDbQueryRunner
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-runner-'))
})
afterEach(async () => {
  await runner.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('DuckDbQueryRunner', () => {
  it('holds no more bytes of ended small results than its budget, however many end unclaimed', async () => {
    runner = new DuckDbQueryRunner({ dataDir, limits: TEST_QUERY_LIMITS, maxHeldSmallBytes: 3 * 2 ** 20 })
    const ids: string[] = []
    for (let i = 0; i < 8; i++) {
      const id = await runner.start(ACME, `SELECT repeat('x', 1000000) AS s, ${i} AS i`, { token: `q_held${i}`, tables: [], maxResultBytes: 2 ** 30 })
      expect((await runner.status(ACME, id, 10_000))?.state).toBe('SUCCEEDED')
      ids.push(id)
      expect(runner.heldSmallBytes).toBeLessThanOrEqual(3 * 2 ** 20)
    }
    // The latest is still handed over whole; the oldest keep their status, without the rows.
    expect((await runner.status(ACME, ids.at(-1)!))?.small?.rows[0]?.[1]).toBe(7)
    expect(await runner.status(ACME, ids[0]!)).toMatchObject({ state: 'SUCCEEDED', rowCount: 1 })
    expect((await runner.status(ACME, ids[0]!))?.small).toBeUndefined()
  })
})
