import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../../config.ts'
import { queryRunnerContract } from '../../ports/query-runner.contract.ts'
import { DuckDbQueryRunner } from './duckdb-query-runner.ts'

const LIMITS: Config['query'] = {
  defaultWaitMs: 3000,
  timeoutMs: 30_000,
  memoryLimit: '256MB',
  threads: 2,
  maxInstances: 4,
  idleMs: 60_000,
  resultTtlMs: 24 * 3_600_000,
  processMemoryBytes: 2 * 2 ** 30,
  maxResultBytes: 2 ** 30,
  maxTempBytes: 2 ** 30,
}

queryRunnerContract('DuckDB in a sandbox process (local mode)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'csvlake-runner-'))
  const runner = new DuckDbQueryRunner({ dataDir, limits: LIMITS })
  return {
    runner,
    async close() {
      await runner.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
})
