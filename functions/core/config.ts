import { resolve } from 'node:path'

export type Config = {
  mode: 'local' | 'aws'
  port: number
  dataDir: string
  maxUploadBytes: number
  previewHeadBytes: number
  query: {
    defaultWaitMs: number
    timeoutMs: number
    memoryLimit: string
    threads: number
    maxInstances: number
    idleMs: number
  }
  /** Local Wait states of the ingest workflow last this long instead of their ASL seconds. */
  localWaitMs: number
}

type Env = Record<string, string | undefined>

const GiB = 1024 ** 3

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number >= ${min}; it is ${JSON.stringify(raw)}`)
  }
  return value
}

/** Reads every CSVLAKE_* setting once, at start-up; nothing else reads the environment. */
export function loadConfig(env: Env = process.env): Config {
  const mode = env.CSVLAKE_MODE ?? 'local'
  if (mode !== 'local' && mode !== 'aws') {
    throw new Error(`CSVLAKE_MODE must be "local" or "aws"; it is ${JSON.stringify(mode)}`)
  }
  return {
    mode,
    port: int(env, 'PORT', 8080, 0),
    dataDir: resolve(env.CSVLAKE_DATA_DIR ?? './.csvlake'),
    maxUploadBytes: int(env, 'CSVLAKE_MAX_UPLOAD_BYTES', 5 * GiB, 1),
    previewHeadBytes: int(env, 'CSVLAKE_PREVIEW_BYTES', 1024 * 1024, 4096),
    query: {
      defaultWaitMs: int(env, 'CSVLAKE_QUERY_WAIT_MS', 3000, 0),
      timeoutMs: int(env, 'CSVLAKE_QUERY_TIMEOUT_MS', 5 * 60_000, 100),
      memoryLimit: env.CSVLAKE_QUERY_MEMORY_LIMIT ?? '2GB',
      threads: int(env, 'CSVLAKE_QUERY_THREADS', 2, 1),
      maxInstances: int(env, 'CSVLAKE_QUERY_MAX_INSTANCES', 16, 1),
      idleMs: int(env, 'CSVLAKE_QUERY_IDLE_MS', 10 * 60_000, 1000),
    },
    localWaitMs: int(env, 'CSVLAKE_LOCAL_WAIT_MS', 20, 0),
  }
}
