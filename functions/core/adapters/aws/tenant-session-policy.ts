import { createHash } from 'node:crypto'
import { keys } from '../../keys.ts'
import { tenantDatabase, type TenantId } from '../../tenant.ts'

/** Where one deployment's tenant resources live, as the ARNs of the session policy name them. */
export type TenantPolicyScope = {
  partition: string
  region: string
  account: string
  bucket: string
  workGroup: string
}

/** STS's limit on an inline session policy's plain text (AssumeRole, `Policy`). */
export const SESSION_POLICY_MAX_CHARS = 2048

/**
 * Athena's results of a tenant's queries (the query runner's OutputLocation): under the tenant's
 * own prefix, so the session policy can name it.
 */
export const athenaResultsPrefix = (tenant: TenantId) => `athena-results/${tenant}/`

/**
 * The session policy for one tenant's calls. A session's permissions are the intersection of the
 * role's policies and this one, so whatever the role allows, the session reaches only:
 * - Glue: the catalog, the tenant's database and its tables (Athena checks these with the caller's
 *   credentials, so `SELECT * FROM other_db.t` is refused: other_db is not named here);
 * - Athena: queries in csvlake's workgroup;
 * - S3: reads under the tenant's lake and Athena-results prefixes, writes of Athena's results,
 *   and listings only with those prefixes.
 * Every prefix ends in '/', so tenant `a` never matches `lake/ab/...`.
 */
export function tenantSessionPolicy(tenant: TenantId, scope: TenantPolicyScope): string {
  const { partition, region, account, bucket, workGroup } = scope
  const db = tenantDatabase(tenant)
  const glue = `arn:${partition}:glue:${region}:${account}`
  const bucketArn = `arn:${partition}:s3:::${bucket}`
  // Not staging/{tenant}/: only the crawler and the workflow read it, with their own roles, and
  // naming it would cost the characters a 63-character tenant with a long bucket name needs.
  const prefixes = [keys.lakeTenant(tenant), athenaResultsPrefix(tenant)]
  const results = `${bucketArn}/${athenaResultsPrefix(tenant)}*`
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        // *Table: GetTable, CreateTable, UpdateTable, DeleteTable (and their Batch forms); *TableVersion:
        // BatchDeleteTableVersion (the version retention; Get* reads them). Written short for STS's size limit.
        Action: ['glue:Get*', 'glue:CreateDatabase', 'glue:*Table', 'glue:*TableVersion'],
        Resource: [`${glue}:catalog`, `${glue}:database/${db}`, `${glue}:table/${db}/*`],
      },
      {
        Effect: 'Allow',
        Action: ['athena:*QueryExecution', 'athena:Get*'],
        Resource: `arn:${partition}:athena:${region}:${account}:workgroup/${workGroup}`,
      },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: results },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } } },
      { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: bucketArn },
    ],
  }
  const text = JSON.stringify(policy)
  if (text.length > SESSION_POLICY_MAX_CHARS) {
    throw new Error(`The session policy of tenant ${tenant} has ${text.length} characters; STS takes at most ${SESSION_POLICY_MAX_CHARS}. Shorten the bucket or workgroup name.`)
  }
  return text
}

/**
 * STS's RoleSessionName: 2-64 of [\w+=,.@-]. Tenant ids use only [a-z0-9_-], so `csvlake-{tenant}`
 * is valid as is; a long one keeps its start and a hash of the whole, so names stay distinct
 * (CloudTrail shows them, per tenant).
 */
export function tenantSessionName(tenant: TenantId): string {
  const name = `csvlake-${tenant}`
  if (name.length <= 64) return name
  const hash = createHash('sha256').update(tenant).digest('hex').slice(0, 8)
  return `csvlake-${tenant.slice(0, 64 - 'csvlake-'.length - 9)}-${hash}`
}
