import type { Config } from '../core/config.ts'

/** Query limits for tests of the local engine: roomy enough that only what a test sets bites. */
export const TEST_QUERY_LIMITS: Config['query'] = {
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
