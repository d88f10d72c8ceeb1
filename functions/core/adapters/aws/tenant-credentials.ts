import { Athena } from '@aws-sdk/client-athena'
import { Glue } from '@aws-sdk/client-glue'
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { tenantId, type TenantId } from '../../tenant.ts'
import type { AwsConfig } from './aws-config.ts'
import { clientSettings, reportUnavailable, type AwsClients } from './aws-clients.ts'
import { tenantSessionName, tenantSessionPolicy, type TenantPolicyScope } from './tenant-session-policy.ts'

/** The SDK's credential identity, with the expiry the SDK and this cache renew by. */
export type TenantCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }

export type TenantCredentialDeps = {
  /** The process's STS client (its timeout, retries and UNAVAILABLE middleware apply). */
  sts: Pick<STSClient, 'send'>
  roleArn: string
  scope: TenantPolicyScope
  /** How long a session lasts (STS: 900 s to the role's maximum, 3600 s by default). */
  durationSeconds?: number
  /** Renew this long before expiry, so no call starts with credentials about to lapse. */
  refreshBeforeMs?: number
  now?: () => number
  log?: Logger
}

const DURATION_SECONDS = 3600
const REFRESH_BEFORE_MS = 5 * 60_000

/**
 * A credential provider (the SDK's shape: a function answering the identity) for one tenant: STS
 * AssumeRole of the tenant role with the tenant's session policy, so the session reaches only that
 * tenant's database, tables and prefixes whatever the role allows. The credentials are kept until
 * shortly before they expire; concurrent callers share one AssumeRole.
 */
export function tenantCredentialProvider(tenant: TenantId, deps: TenantCredentialDeps): () => Promise<TenantCredentials> {
  const now = deps.now ?? Date.now
  const refreshBeforeMs = deps.refreshBeforeMs ?? REFRESH_BEFORE_MS
  const policy = tenantSessionPolicy(tenant, deps.scope)
  let current: TenantCredentials | undefined
  let pending: Promise<TenantCredentials> | undefined

  const assume = async (): Promise<TenantCredentials> => {
    let answer
    try {
      answer = await deps.sts.send(
        new AssumeRoleCommand({
          RoleArn: deps.roleArn,
          RoleSessionName: tenantSessionName(tenant),
          Policy: policy,
          DurationSeconds: deps.durationSeconds ?? DURATION_SECONDS,
        }),
      )
    } catch (err) {
      throw refused(err, tenant, deps.log)
    }
    const c = answer.Credentials
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new AppError('UNAVAILABLE', 'STS answered AssumeRole without credentials; try again in a minute.', { service: 'STS' })
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) }
  }

  return () => {
    if (current && current.expiration.getTime() - now() > refreshBeforeMs) return Promise.resolve(current)
    pending ??= assume()
      .then((credentials) => (current = credentials))
      .finally(() => (pending = undefined))
    return pending
  }
}

/**
 * STS refusing the tenant role (AccessDenied, MalformedPolicyDocument, PackedPolicyTooLarge,
 * RegionDisabledException, ...) is the deployment's IAM setup, not the caller's permission, so it
 * answers UNAVAILABLE (503) rather than FORBIDDEN: the user can do nothing about it and a 403 would
 * say they may not. The message names STS and the error's name, not STS's text, which carries
 * account ids and role names; that goes to the log. An unreachable STS is already UNAVAILABLE
 * (the process's STS client reports it).
 */
function refused(err: unknown, tenant: TenantId, log: Logger | undefined): AppError {
  if (err instanceof AppError) return err
  const name = err instanceof Error ? err.name : 'error'
  log?.error('STS refused the tenant role', { tenant, name, message: err instanceof Error ? err.message : String(err) })
  return new AppError(
    'UNAVAILABLE',
    `csvlake could not get this tenant's credentials from STS (${name}); csvlake's role must be allowed to assume CSVLAKE_TENANT_ROLE_ARN. Tell an operator.`,
    { service: 'STS', stsError: name },
    { cause: err },
  )
}

/** The clients of one tenant: every call signed with that tenant's session. */
export type TenantAwsClients = { glue: Glue; athena: Athena }

export type TenantClientsDeps = {
  config: AwsConfig
  /** The process's clients: STS for AssumeRole; Glue's and Athena's connection pools are shared. */
  clients: Pick<AwsClients, 'sts' | 'glue' | 'athena'>
  /** Tenants whose clients are kept; the least recently used goes first, so memory is bounded. */
  maxTenants?: number
  now?: () => number
  log?: Logger
}

/** The longest tenant id, with every character one that the database name doubles. */
const LONGEST_TENANT = tenantId(`a${'_'.repeat(62)}`)

/**
 * Tenant-scoped Glue and Athena clients, made on first use and cached per tenant (LRU, at most
 * `maxTenants`). They share the process clients' request handlers, so a tenant adds credentials and
 * a middleware stack, not a connection pool, and an evicted tenant's clients need no closing.
 * Checks at start that the longest tenant's session policy fits STS's limit with this deployment's
 * bucket and workgroup names, so no tenant fails on it later.
 */
export function tenantClients(deps: TenantClientsDeps): { forTenant(tenant: TenantId): TenantAwsClients } {
  const { config, clients } = deps
  const maxTenants = deps.maxTenants ?? 256
  const scope: TenantPolicyScope = {
    partition: config.partition,
    region: config.region,
    account: config.account,
    bucket: config.bucket,
    workGroup: config.athena.workGroup,
  }
  tenantSessionPolicy(LONGEST_TENANT, scope)
  const cache = new Map<TenantId, TenantAwsClients>()

  const build = (tenant: TenantId): TenantAwsClients => {
    const credentials = tenantCredentialProvider(tenant, {
      sts: clients.sts,
      roleArn: config.tenantRoleArn,
      scope,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.log ? { log: deps.log } : {}),
    })
    const glue = new Glue({ ...clientSettings(config, 'glue'), credentials, requestHandler: clients.glue.config.requestHandler })
    const athena = new Athena({ ...clientSettings(config, 'athena'), credentials, requestHandler: clients.athena.config.requestHandler })
    reportUnavailable(glue, 'Glue')
    reportUnavailable(athena, 'Athena')
    return { glue, athena }
  }

  return {
    forTenant(tenant) {
      const found = cache.get(tenant)
      if (found) {
        // Re-inserted to mark it the most recently used (a Map iterates in insertion order).
        cache.delete(tenant)
        cache.set(tenant, found)
        return found
      }
      const made = build(tenant)
      cache.set(tenant, made)
      if (cache.size > maxTenants) cache.delete(cache.keys().next().value!)
      return made
    },
  }
}
