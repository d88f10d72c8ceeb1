import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TEST_QUERY_LIMITS } from '../../../testing/query-limits.ts'
import { queryRunnerContract } from '../../ports/query-runner.contract.ts'
import { DuckDbQueryRunner } from './duckdb-query-runner.ts'

const LIMITS = TEST_QUERY_LIMITS

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
