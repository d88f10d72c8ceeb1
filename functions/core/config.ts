import { randomBytes } from 'node:crypto'
import { isIPv6 } from 'node:net'
import { resolve } from 'node:path'

export type Config = {
  mode: 'local' | 'aws'
  port: number
  /** HOST: the address to listen on, as given; unset, the default depends on identity (core/http/local-access.ts). */
  host: string | undefined
  /** CSVLAKE_ALLOWED_HOSTS: host names answered without identity beyond localhost and addresses; `*` any. */
  allowedHosts: string[]
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
    /** A tenant's sandbox process is killed when its resident memory passes this (DuckDB and JavaScript together). */
    processMemoryBytes: number
    /** The most one query's stored result may take on disk (less when the tenant's quota has less left). */
    maxResultBytes: number
    /** The most DuckDB may spill to disk for one tenant's queries (max_temp_directory_size). */
    maxTempBytes: number
  }
  /** Local Wait states of the ingest workflow last this long instead of their ASL seconds. */
  localWaitMs: number
  auth: AuthConfig
  /**
   * Signs short-lived download links to query exports. Random per process unless set; every
   * replica of the query function must share it (set CSVLAKE_DOWNLOAD_SECRET when there are several).
   */
  downloadSecret: string
  /** On SIGTERM, how long requests in flight may take to finish before their connections are cut. */
  shutdownGraceMs: number
  /**
   * How long a table's earlier versions (and the data only they read) are kept for time travel
   * and rollback: CSVLAKE_TABLE_VERSION_DAYS after they stopped being current, and at most
   * CSVLAKE_TABLE_VERSIONS_MAX of them. The current version is always kept.
   */
  tableVersions: { days: number; max: number }
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

const MiB = 1024 ** 2
const GiB = 1024 ** 3

/** A size as a number of bytes or with a unit, as DuckDB takes them: 512MB, 2GB, 1.5GiB. */
function sizeOf(name: string, raw: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|bytes|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$/i.exec(raw)
  if (!match) throw new Error(`${name} must be a size such as 2GB or 512MiB; it is ${JSON.stringify(raw)}`)
  const unit = (match[2] ?? 'b').toLowerCase()
  const scale = { b: 1, bytes: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: MiB, gb: 1e9, gib: GiB, tb: 1e12, tib: 1024 ** 4 }[unit]!
  return Math.floor(Number(match[1]) * scale)
}

function size(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = sizeOf(name, raw)
  if (value < min) throw new Error(`${name} must be at least ${min} bytes; it is ${JSON.stringify(raw)}`)
  return value
}

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
    host: env.HOST?.trim() || undefined,
    allowedHosts: hostList(env.CSVLAKE_ALLOWED_HOSTS ?? ''),
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
      processMemoryBytes: size(env, 'CSVLAKE_QUERY_PROCESS_MEMORY', sizeOf('CSVLAKE_QUERY_MEMORY_LIMIT', env.CSVLAKE_QUERY_MEMORY_LIMIT ?? '2GB') + GiB, 256 * MiB),
      maxResultBytes: size(env, 'CSVLAKE_QUERY_MAX_RESULT_BYTES', 2 * GiB, MiB),
      maxTempBytes: size(env, 'CSVLAKE_QUERY_MAX_TEMP_BYTES', 10 * GiB, 0),
    },
    localWaitMs: int(env, 'CSVLAKE_LOCAL_WAIT_MS', 20, 0),
    auth: loadAuth(env, mode),
    downloadSecret: env.CSVLAKE_DOWNLOAD_SECRET ?? randomBytes(32).toString('hex'),
    shutdownGraceMs: int(env, 'CSVLAKE_SHUTDOWN_GRACE_MS', 10_000, 0),
    tableVersions: {
      days: int(env, 'CSVLAKE_TABLE_VERSION_DAYS', 30, 0),
      max: int(env, 'CSVLAKE_TABLE_VERSIONS_MAX', 100, 1),
    },
    tenantLimits: {
      queries: int(env, 'CSVLAKE_TENANT_MAX_QUERIES', 4, 1),
      jobs: int(env, 'CSVLAKE_TENANT_MAX_JOBS', 2, 1),
      quotaBytes: env.CSVLAKE_TENANT_QUOTA_BYTES ? int(env, 'CSVLAKE_TENANT_QUOTA_BYTES', 0, 1) : undefined,
    },
  }
}

/** Names such as `csvlake.lan` or addresses, separated by commas or spaces, lowercased; IPv6 in brackets as a Host header has it. */
function hostList(raw: string): string[] {
  return raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const name = entry.toLowerCase()
      if (name === '*' || /^[a-z0-9.-]+$/.test(name)) return name
      const ipv6 = name.replace(/^\[(.*)\]$/, '$1')
      if (isIPv6(ipv6)) return `[${ipv6}]`
      throw new Error(`CSVLAKE_ALLOWED_HOSTS lists host names without scheme or port, separated by commas (e.g. csvlake.lan,data.example.com); ${JSON.stringify(entry)} is not one`)
    })
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
