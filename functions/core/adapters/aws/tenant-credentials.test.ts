import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GetTableCommand } from '@aws-sdk/client-glue'
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { tenantId } from '../../tenant.ts'
import type { AwsConfig } from './aws-config.ts'
import { createAwsClients } from './aws-clients.ts'
import { tenantClients, tenantCredentialProvider } from './tenant-credentials.ts'

/**
 * STS is answered by aws-sdk-client-mock with responses written from the STS API reference
 * (AssumeRole: Credentials {AccessKeyId, SecretAccessKey, SessionToken, Expiration},
 * AssumedRoleUser, PackedPolicySize; errors AccessDenied, MalformedPolicyDocument). Not AWS.
 */

const roleArn = 'arn:aws:iam::123456789012:role/csvlake-tenant'
const scope = { partition: 'aws', region: 'eu-west-1', account: '123456789012', bucket: 'acme-csvlake', workGroup: 'csvlake' }
const HOUR = 3_600_000

function assumeRoleAnswer(n: number, expiresAt: number) {
  return {
    Credentials: { AccessKeyId: `ASIATENANT${n}`, SecretAccessKey: `secret${n}`, SessionToken: `token${n}`, Expiration: new Date(expiresAt) },
    AssumedRoleUser: { AssumedRoleId: 'AROA3XFRBF535PLBIFPI4:csvlake-acme', Arn: 'arn:aws:sts::123456789012:assumed-role/csvlake-tenant/csvlake-acme' },
    PackedPolicySize: 12,
    $metadata: {},
  }
}

const accessDenied = () =>
  new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'User: arn:aws:sts::123456789012:assumed-role/csvlake-app/i-0abc is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/csvlake-tenant',
  })

const quietLog = () => ({ info: vi.fn<Logger['info']>(), warn: vi.fn<Logger['warn']>(), error: vi.fn<Logger['error']>() })

describe('tenantCredentialProvider (STS answered by aws-sdk-client-mock, responses written from the STS API reference)', () => {
  it("assumes the tenant role with the tenant's session name, a session policy and an hour", async () => {
    const sts = new STSClient({ region: 'eu-west-1' })
    const mock = mockClient(sts)
    mock.on(AssumeRoleCommand).resolves(assumeRoleAnswer(1, Date.now() + HOUR))
    const credentials = await tenantCredentialProvider(tenantId('acme'), { sts, roleArn, scope })()
    expect(credentials).toMatchObject({ accessKeyId: 'ASIATENANT1', secretAccessKey: 'secret1', sessionToken: 'token1', expiration: expect.any(Date) })
    const input = mock.commandCalls(AssumeRoleCommand)[0]!.args[0].input
    expect(input).toMatchObject({ RoleArn: roleArn, RoleSessionName: 'csvlake-acme', DurationSeconds: 3600 })
    const policy = JSON.parse(input.Policy!) as { Statement: { Resource: string | string[] }[] }
    expect(JSON.stringify(policy.Statement.map((s) => s.Resource))).toContain('arn:aws:glue:eu-west-1:123456789012:database/csvlake_acme')
  })

  it('reuses the credentials until they are near expiry, then assumes the role again', async () => {
    let now = 1_000_000
    const sts = new STSClient({ region: 'eu-west-1' })
    const mock = mockClient(sts)
    mock.on(AssumeRoleCommand).resolvesOnce(assumeRoleAnswer(1, now + HOUR)).resolvesOnce(assumeRoleAnswer(2, now + 2 * HOUR))
    const provider = tenantCredentialProvider(tenantId('acme'), { sts, roleArn, scope, now: () => now })
    expect((await provider()).accessKeyId).toBe('ASIATENANT1')
    now += HOUR - 6 * 60_000 // six minutes left: still used
    expect((await provider()).accessKeyId).toBe('ASIATENANT1')
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(1)
    now += 2 * 60_000 // four minutes left: renewed
    expect((await provider()).accessKeyId).toBe('ASIATENANT2')
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(2)
  })

  it('asks STS once for callers that need credentials at the same time', async () => {
    const sts = new STSClient({ region: 'eu-west-1' })
    const mock = mockClient(sts)
    mock.on(AssumeRoleCommand).callsFake(async () => {
      await new Promise((done) => setTimeout(done, 20))
      return assumeRoleAnswer(1, Date.now() + HOUR)
    })
    const provider = tenantCredentialProvider(tenantId('acme'), { sts, roleArn, scope })
    const all = await Promise.all([provider(), provider(), provider()])
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIATENANT1']))
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(1)
  })

  it("answers STS's AccessDenied as UNAVAILABLE naming STS (the deployment's IAM, not the user's permission), without STS's account details; logs them", async () => {
    const sts = new STSClient({ region: 'eu-west-1' })
    mockClient(sts).on(AssumeRoleCommand).rejects(accessDenied())
    const log = quietLog()
    const err = await tenantCredentialProvider(tenantId('acme'), { sts, roleArn, scope, log })().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'STS', stsError: 'AccessDenied' } })
    expect((err as AppError).message).toMatch(/^csvlake could not get this tenant's credentials from STS \(AccessDenied\); .*CSVLAKE_TENANT_ROLE_ARN/)
    expect((err as AppError).message).not.toContain('123456789012')
    expect(log.error).toHaveBeenCalledWith('STS refused the tenant role', expect.objectContaining({ tenant: 'acme', name: 'AccessDenied', message: expect.stringContaining('not authorized') }))
  })

  it('does not keep a refusal: the next call asks STS again', async () => {
    const sts = new STSClient({ region: 'eu-west-1' })
    const mock = mockClient(sts)
    mock.on(AssumeRoleCommand).rejectsOnce(accessDenied()).resolves(assumeRoleAnswer(1, Date.now() + HOUR))
    const provider = tenantCredentialProvider(tenantId('acme'), { sts, roleArn, scope, log: quietLog() })
    await expect(provider()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect((await provider()).accessKeyId).toBe('ASIATENANT1')
  })

  it('passes an unreachable STS (already UNAVAILABLE from the client middleware) through unchanged', async () => {
    const sts = new STSClient({ region: 'eu-west-1' })
    const unreachable = new AppError('UNAVAILABLE', 'STS cannot be reached (ECONNREFUSED); try again in a minute.', { service: 'STS' })
    mockClient(sts).on(AssumeRoleCommand).rejects(unreachable)
    await expect(tenantCredentialProvider(tenantId('acme'), { sts, roleArn, scope })()).rejects.toBe(unreachable)
  })
})

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((done) => server.close(() => done()))
  }
})

/** A Glue endpoint that records each request's signature and answers EntityNotFoundException (JSON 1.1). */
async function recordingGlue(): Promise<{ endpoint: string; seen: IncomingMessage['headers'][] }> {
  const seen: IncomingMessage['headers'][] = []
  const server = createServer((req, res) => {
    seen.push(req.headers)
    req.resume().on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify({ __type: 'EntityNotFoundException', Message: 'Table t not found.' }))
    })
  })
  servers.push(server)
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

function configFor(endpoint: string): AwsConfig {
  return {
    region: 'eu-west-1',
    partition: 'aws',
    account: '123456789012',
    bucket: 'acme-csvlake',
    athena: { workGroup: 'csvlake', maxScannedBytes: 10 * 1024 ** 3 },
    ingestStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest',
    crawlerRoleArn: 'arn:aws:iam::123456789012:role/csvlake-crawler',
    tenantRoleArn: roleArn,
    timeoutMs: 300,
    maxAttempts: 2,
    s3: { endpoint, forcePathStyle: true },
    endpoints: { glue: endpoint, athena: endpoint, sfn: endpoint, sts: endpoint },
    eks: undefined,
  }
}

describe('tenantClients (STS answered by aws-sdk-client-mock; Glue over a local socket; not AWS)', () => {
  function setUp(endpoint: string, maxTenants?: number) {
    const config = configFor(endpoint)
    const clients = createAwsClients(config, { credentials: { accessKeyId: 'AKIAPROCESS', secretAccessKey: 'process' } })
    const sts = mockClient(clients.sts)
    let n = 0
    sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleAnswer(++n, Date.now() + HOUR))
    return { tenants: tenantClients({ config, clients, ...(maxTenants ? { maxTenants } : {}) }), sts }
  }

  it("signs the tenant's Glue calls with that tenant's session, not the process's credentials", async () => {
    const { endpoint, seen } = await recordingGlue()
    const { tenants, sts } = setUp(endpoint)
    const err = await tenants.forTenant(tenantId('acme')).glue.send(new GetTableCommand({ DatabaseName: 'csvlake_acme', Name: 't' })).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'EntityNotFoundException' }) // a service error passes through untouched
    expect(seen[0]!.authorization).toContain('Credential=ASIATENANT1/')
    expect(seen[0]!['x-amz-security-token']).toBe('token1')
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleSessionName).toBe('csvlake-acme')
  })

  it('answers UNAVAILABLE naming the service when a tenant client cannot reach it', async () => {
    const server = createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    await new Promise<void>((done) => server.close(() => done()))
    const { tenants } = setUp(closed)
    const err = await tenants.forTenant(tenantId('acme')).glue.send(new GetTableCommand({ DatabaseName: 'csvlake_acme', Name: 't' })).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'Glue' } })
  })

  it("passes STS's refusal out of a tenant client's call as the UNAVAILABLE naming STS", async () => {
    const { endpoint, seen } = await recordingGlue()
    const config = configFor(endpoint)
    const clients = createAwsClients(config)
    mockClient(clients.sts).on(AssumeRoleCommand).rejects(accessDenied())
    const tenants = tenantClients({ config, clients, log: quietLog() })
    const err = await tenants.forTenant(tenantId('acme')).glue.send(new GetTableCommand({ DatabaseName: 'csvlake_acme', Name: 't' })).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'STS' } })
    expect(seen).toHaveLength(0)
  })

  it('keeps one set of clients per tenant, and at most maxTenants of them (least recently used goes)', () => {
    const { tenants } = setUp('http://127.0.0.1:1', 2)
    const a = tenants.forTenant(tenantId('a'))
    expect(tenants.forTenant(tenantId('a'))).toBe(a)
    const b = tenants.forTenant(tenantId('b'))
    expect(b).not.toBe(a)
    tenants.forTenant(tenantId('a')) // a is now the most recently used
    tenants.forTenant(tenantId('c')) // so b goes
    expect(tenants.forTenant(tenantId('a'))).toBe(a)
    expect(tenants.forTenant(tenantId('b'))).not.toBe(b)
  })
})
