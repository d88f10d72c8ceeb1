import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO } from './app.ts'

/** Median ms of each statement in a fresh DuckDB process (see reference/duckdb-direct.ts). */
export function duckdbDirect(statements: string[], runs: number, threads = 2): number[] {
  const result = spawnSync(
    process.execPath,
    [join(REPO, 'bench', 'reference', 'duckdb-direct.ts'), String(threads), String(runs), ...statements],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 1024 * 1024 },
  )
  if (result.status !== 0) throw new Error(`duckdb-direct failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as number[]
}

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`
