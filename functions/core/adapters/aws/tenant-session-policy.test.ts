import { describe, expect, it } from 'vitest'
import { allowsAll, evaluatePolicy, wildcardMatch } from '../../../testing/iam-policy-eval.ts'
import { tenantDatabase, tenantId } from '../../tenant.ts'
import { SESSION_POLICY_MAX_CHARS, tenantSessionName, tenantSessionPolicy, type TenantPolicyScope } from './tenant-session-policy.ts'

const scope: TenantPolicyScope = { partition: 'aws', region: 'eu-west-1', account: '123456789012', bucket: 'acme-csvlake', workGroup: 'csvlake' }
const glue = 'arn:aws:glue:eu-west-1:123456789012'
const bucket = 'arn:aws:s3:::acme-csvlake'

/** What Glue checks for GetTable: the catalog, the database and the table (Glue's resource-level permissions). */
const tableResources = (db: string, table: string) => [`${glue}:catalog`, `${glue}:database/${db}`, `${glue}:table/${db}/${table}`]

const policyOf = (tenant: string) => tenantSessionPolicy(tenantId(tenant), scope)

describe("a tenant's session policy, evaluated by our own evaluator of the IAM grammar it uses (not by IAM)", () => {
  it("refuses a query naming another tenant's database: Glue's GetTable on it is not allowed, the tenant's own is", () => {
    // Athena resolves `SELECT * FROM csvlake_b.t` with the caller's credentials: glue:GetTable on b's table.
    const a = policyOf('a')
    expect(allowsAll(a, 'glue:GetTable', tableResources(tenantDatabase(tenantId('a')), 't'))).toBe(true)
    expect(allowsAll(a, 'glue:GetTable', tableResources(tenantDatabase(tenantId('b')), 't'))).toBe(false)
    expect(allowsAll(a, 'glue:GetDatabase', [`${glue}:catalog`, `${glue}:database/${tenantDatabase(tenantId('b'))}`])).toBe(false)
    expect(allowsAll(a, 'glue:GetPartitions', tableResources(tenantDatabase(tenantId('b')), 't'))).toBe(false)
    // and the data under b's prefix cannot be read either
    expect(evaluatePolicy(a, { action: 's3:GetObject', resource: `${bucket}/lake/b/t/ingest_job=j1/data.parquet` })).toBe('implicit-deny')
  })

  it('keeps a-b and a_b apart (distinct databases, neither reaches the other)', () => {
    const dash = tenantDatabase(tenantId('a-b'))
    const underscore = tenantDatabase(tenantId('a_b'))
    expect(dash).not.toBe(underscore)
    expect(allowsAll(policyOf('a-b'), 'glue:GetTable', tableResources(dash, 't'))).toBe(true)
    expect(allowsAll(policyOf('a-b'), 'glue:GetTable', tableResources(underscore, 't'))).toBe(false)
    expect(allowsAll(policyOf('a_b'), 'glue:GetTable', tableResources(dash, 't'))).toBe(false)
    expect(allowsAll(policyOf('a_b'), 'glue:UpdateTable', tableResources(underscore, 't'))).toBe(true)
  })

  it('does not let tenant a reach tenant ab, whose names start the same (the prefixes end in "/")', () => {
    const a = policyOf('a')
    expect(evaluatePolicy(a, { action: 's3:GetObject', resource: `${bucket}/lake/a/t/x` })).toBe('allow')
    expect(evaluatePolicy(a, { action: 's3:GetObject', resource: `${bucket}/lake/ab/x` })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:GetObject', resource: `${bucket}/athena-results/ab/q.csv` })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'lake/ab/' } })).toBe('implicit-deny')
    expect(allowsAll(a, 'glue:GetTable', tableResources(tenantDatabase(tenantId('ab')), 't'))).toBe(false)
  })

  it("lets the tenant's Athena queries read its lake, list it, and write results only under its own results prefix", () => {
    const a = policyOf('a')
    expect(evaluatePolicy(a, { action: 'athena:StartQueryExecution', resource: 'arn:aws:athena:eu-west-1:123456789012:workgroup/csvlake' })).toBe('allow')
    expect(evaluatePolicy(a, { action: 'athena:GetQueryResults', resource: 'arn:aws:athena:eu-west-1:123456789012:workgroup/csvlake' })).toBe('allow')
    expect(evaluatePolicy(a, { action: 'athena:StartQueryExecution', resource: 'arn:aws:athena:eu-west-1:123456789012:workgroup/primary' })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'lake/a/t/' } })).toBe('allow')
    expect(evaluatePolicy(a, { action: 's3:ListBucket', resource: bucket, context: { 's3:prefix': 'lake/b/t/' } })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:ListBucket', resource: bucket })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:PutObject', resource: `${bucket}/athena-results/a/q1.csv` })).toBe('allow')
    expect(evaluatePolicy(a, { action: 's3:PutObject', resource: `${bucket}/athena-results/b/q1.csv` })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:PutObject', resource: `${bucket}/lake/a/t/x` })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:DeleteObject', resource: `${bucket}/lake/a/t/x` })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:GetObject', resource: `${bucket}/raw/a/f1/data` })).toBe('implicit-deny')
    expect(evaluatePolicy(a, { action: 's3:GetObject', resource: 'arn:aws:s3:::other-bucket/lake/a/t/x' })).toBe('implicit-deny')
  })

  it('lets the Glue catalog adapter create the database and change its tables, and nothing in another database', () => {
    const a = policyOf('a')
    const db = tenantDatabase(tenantId('a'))
    expect(allowsAll(a, 'glue:CreateDatabase', [`${glue}:catalog`, `${glue}:database/${db}`])).toBe(true)
    for (const action of ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable', 'glue:GetTables', 'glue:GetTableVersions', 'glue:BatchDeleteTableVersion']) {
      expect(allowsAll(a, action, tableResources(db, 'sales')), action).toBe(true)
      expect(allowsAll(a, action, tableResources(tenantDatabase(tenantId('b')), 'sales')), action).toBe(false)
    }
    expect(allowsAll(a, 'glue:DeleteDatabase', [`${glue}:catalog`, `${glue}:database/${db}`])).toBe(false)
  })

  it(`fits STS's ${SESSION_POLICY_MAX_CHARS} characters for a 63-character tenant with the longest names a valid config allows`, () => {
    const longest = tenantId(`a${'_'.repeat(62)}`) // every '_' doubles in the database name
    const policy = tenantSessionPolicy(longest, { partition: 'aws-us-gov', region: 'ap-southeast-2', account: '123456789012', bucket: 'b'.repeat(63), workGroup: 'w'.repeat(128) })
    expect(policy.length).toBeLessThanOrEqual(SESSION_POLICY_MAX_CHARS)
    expect(tenantSessionPolicy(tenantId('z'.repeat(63)), scope).length).toBeLessThanOrEqual(SESSION_POLICY_MAX_CHARS)
  })

  it('refuses to build a policy STS would refuse', () => {
    expect(() => tenantSessionPolicy(tenantId('a'.repeat(63)), { ...scope, bucket: 'b'.repeat(400) })).toThrow(/characters; STS takes at most 2048/)
  })
})

describe('tenantSessionName', () => {
  it('is csvlake-{tenant} within STS limits (2-64 of [\\w+=,.@-])', () => {
    expect(tenantSessionName(tenantId('acme'))).toBe('csvlake-acme')
    for (const t of ['a', 'a-b_c', 'x'.repeat(56), 'x'.repeat(57), 'y'.repeat(63)]) {
      expect(tenantSessionName(tenantId(t))).toMatch(/^[\w+=,.@-]{2,64}$/)
    }
  })

  it('keeps long tenants that share a start apart', () => {
    const one = tenantSessionName(tenantId(`${'x'.repeat(60)}one`))
    const two = tenantSessionName(tenantId(`${'x'.repeat(60)}two`))
    expect(one).toHaveLength(64)
    expect(one).not.toBe(two)
  })
})

describe('the IAM policy evaluator used above (ours; a model of the IAM grammar subset, not IAM)', () => {
  const policy = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements })

  it('matches * across any characters (including / and :) and ? as one character; actions ignore case', () => {
    expect(wildcardMatch('arn:aws:s3:::b/lake/a/*', 'arn:aws:s3:::b/lake/a/t/x')).toBe(true)
    expect(wildcardMatch('arn:aws:s3:::b/lake/a/*', 'arn:aws:s3:::b/lake/ab/x')).toBe(false)
    expect(wildcardMatch('table/d?/*', 'table/db/t')).toBe(true)
    expect(wildcardMatch('table/d?/*', 'table/dbb/t')).toBe(false)
    expect(wildcardMatch('a.b', 'axb')).toBe(false)
    expect(evaluatePolicy(policy([{ Effect: 'Allow', Action: 'glue:get*', Resource: '*' }]), { action: 'glue:GetTable', resource: 'x' })).toBe('allow')
  })

  it('denies by default, lets an explicit Deny win over an Allow, and requires every condition', () => {
    const p = policy([
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
    ])
    expect(evaluatePolicy(p, { action: 's3:GetObject', resource: 'r' })).toBe('allow')
    expect(evaluatePolicy(p, { action: 's3:DeleteObject', resource: 'r' })).toBe('explicit-deny')
    expect(evaluatePolicy(p, { action: 'glue:GetTable', resource: 'r' })).toBe('implicit-deny')
    const conditioned = policy([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'b', Condition: { StringEquals: { 's3:prefix': 'x/' } } }])
    expect(evaluatePolicy(conditioned, { action: 's3:ListBucket', resource: 'b', context: { 's3:prefix': 'x/' } })).toBe('allow')
    expect(evaluatePolicy(conditioned, { action: 's3:ListBucket', resource: 'b', context: { 's3:prefix': 'x/y' } })).toBe('implicit-deny')
  })

  it('refuses grammar outside its subset instead of guessing', () => {
    const q = { action: 'a:b', resource: 'r' }
    expect(() => evaluatePolicy(policy([{ Effect: 'Allow', NotAction: 'a:c', Resource: '*' }]), q)).toThrow(/outside the evaluated subset/)
    expect(() => evaluatePolicy(policy([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4' } } }]), { ...q, context: { 'aws:SourceIp': '1.2.3.4' } })).toThrow(/outside the evaluated subset/)
  })
})
