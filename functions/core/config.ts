import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'

export type Config = {
  mode: 'local' | 'aws'
  port: number
  dataDir: string
  /** The web UI's static build (Next.js export), served by the gateway at /. */
  webDir: string
  maxUploadBytes: number
  previewHeadBytes: number
  query: {
    defaultWaitMs: number
    timeoutMs: number
    memoryLimit: string
    threads: number
    maxInstances: number
    idleMs: number
    /** Records and results of queries that ended longer ago than this are removed. */
    resultTtlMs: number
  }
  /** Local Wait states of the ingest workflow last this long instead of their ASL seconds. */
  localWaitMs: number
  auth: AuthConfig
  /**
   * Signs short-lived download links to query exports. Random per process unless set; every
   * replica of the query function must share it (set CSVLAKE_DOWNLOAD_SECRET when there are several).
   */
  downloadSecret: string
  /** Fair sharing: what one tenant may run or keep at once. */
  tenantLimits: { queries: number; jobs: number; quotaBytes: number | undefined }
}

/** Identity: off (one local user) or JWTs from an OIDC issuer such as Auth0, checked against its JWKS. */
export type AuthConfig =
  | { enabled: false }
  | {
      enabled: true
      issuer: string
      audience: string
      jwksUrl: string
      /** The claim whose value names the tenant (the token's subject unless an organisation claim is set). */
      tenantClaim: string
      /** Whether the permissions/scope claims must grant read:data and write:data. */
      permissions: boolean
      /** For browser clients, via /api/config. */
      clientId?: string
      /** After fetching the JWKS, how long an unknown key id does not fetch it again. */
      jwksCooldownMs: number
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
    webDir: resolve(env.CSVLAKE_WEB_DIR ?? './web/out'),
    maxUploadBytes: int(env, 'CSVLAKE_MAX_UPLOAD_BYTES', 5 * GiB, 1),
    previewHeadBytes: int(env, 'CSVLAKE_PREVIEW_BYTES', 1024 * 1024, 4096),
    query: {
      defaultWaitMs: int(env, 'CSVLAKE_QUERY_WAIT_MS', 3000, 0),
      timeoutMs: int(env, 'CSVLAKE_QUERY_TIMEOUT_MS', 5 * 60_000, 100),
      memoryLimit: env.CSVLAKE_QUERY_MEMORY_LIMIT ?? '2GB',
      threads: int(env, 'CSVLAKE_QUERY_THREADS', 2, 1),
      maxInstances: int(env, 'CSVLAKE_QUERY_MAX_INSTANCES', 16, 1),
      idleMs: int(env, 'CSVLAKE_QUERY_IDLE_MS', 10 * 60_000, 1000),
      resultTtlMs: int(env, 'CSVLAKE_RESULT_TTL_HOURS', 7 * 24, 1) * 3_600_000,
    },
    localWaitMs: int(env, 'CSVLAKE_LOCAL_WAIT_MS', 20, 0),
    auth: loadAuth(env, mode),
    downloadSecret: env.CSVLAKE_DOWNLOAD_SECRET ?? randomBytes(32).toString('hex'),
    tenantLimits: {
      queries: int(env, 'CSVLAKE_TENANT_MAX_QUERIES', 4, 1),
      jobs: int(env, 'CSVLAKE_TENANT_MAX_JOBS', 2, 1),
      quotaBytes: env.CSVLAKE_TENANT_QUOTA_BYTES ? int(env, 'CSVLAKE_TENANT_QUOTA_BYTES', 0, 1) : undefined,
    },
  }
}

function loadAuth(env: Env, mode: 'local' | 'aws'): AuthConfig {
  const issuer = env.CSVLAKE_AUTH_ISSUER
  if (!issuer) {
    if (mode === 'aws' && env.CSVLAKE_AUTH !== 'none') {
      throw new Error('CSVLAKE_MODE=aws needs CSVLAKE_AUTH_ISSUER and CSVLAKE_AUTH_AUDIENCE (or CSVLAKE_AUTH=none, explicitly).')
    }
    return { enabled: false }
  }
  const audience = env.CSVLAKE_AUTH_AUDIENCE
  if (!audience) throw new Error('CSVLAKE_AUTH_ISSUER is set, so CSVLAKE_AUTH_AUDIENCE must be too (the API identifier tokens are issued for).')
  let base: URL
  try {
    base = new URL(issuer)
  } catch {
    throw new Error(`CSVLAKE_AUTH_ISSUER must be a URL such as https://TENANT.auth0.com/; it is ${JSON.stringify(issuer)}`)
  }
  return {
    enabled: true,
    issuer,
    audience,
    jwksUrl: env.CSVLAKE_AUTH_JWKS_URL ?? new URL('.well-known/jwks.json', base.href.endsWith('/') ? base : `${base.href}/`).href,
    tenantClaim: env.CSVLAKE_AUTH_TENANT_CLAIM ?? 'sub',
    permissions: env.CSVLAKE_AUTH_PERMISSIONS !== 'off',
    jwksCooldownMs: int(env, 'CSVLAKE_AUTH_JWKS_COOLDOWN_MS', 30_000, 0),
    ...(env.CSVLAKE_AUTH_CLIENT_ID ? { clientId: env.CSVLAKE_AUTH_CLIENT_ID } : {}),
  }
}
