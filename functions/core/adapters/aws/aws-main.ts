import type { Config } from '../../config.ts'
import type { Logger } from '../../logger.ts'
import type { ServiceMetrics } from '../../services.ts'
import { ignoredLocalSettings, loadAwsConfig } from './aws-config.ts'
import { createAwsClients } from './aws-clients.ts'
import { createAwsServices, type AwsServices } from './aws-services.ts'
import { tenantClients } from './tenant-credentials.ts'

type Env = Record<string, string | undefined>

/**
 * aws mode from the environment: its variables read and checked once (one error listing every
 * problem), one SDK client per service, tenant-scoped Glue and Athena clients, and the services
 * over them. Loaded only in aws mode, so
 * a local function's bundle never loads the AWS SDK.
 */
export async function awsServicesFromEnv(config: Config, log: Logger, env: Env = process.env, metrics?: ServiceMetrics): Promise<AwsServices> {
  const aws = loadAwsConfig(env)
  const ignored = ignoredLocalSettings(env)
  if (ignored.length > 0) log.warn('aws mode ignores these local-mode settings', { ignored })
  const clients = createAwsClients(aws)
  // Each tenant's Glue and Athena calls (and the S3 reads Athena makes for them) run with
  // credentials narrowed to that tenant's database, tables and folders.
  const tenants = tenantClients({ config: aws, clients, log })
  return createAwsServices(config, aws, log, {
    s3: clients.s3,
    glueFor: (tenant) => tenants.forTenant(tenant).glue,
    athenaFor: (tenant) => tenants.forTenant(tenant).athena,
    sfn: clients.sfn,
  }, metrics)
}
