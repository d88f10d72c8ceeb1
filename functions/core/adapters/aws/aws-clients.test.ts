import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GetQueryExecutionCommand } from '@aws-sdk/client-athena'
import { GetTableCommand } from '@aws-sdk/client-glue'
import { GetObjectCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3'
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import type { AwsConfig } from './aws-config.ts'
import { createAwsClients, unreachableReason, type AwsClients } from './aws-clients.ts'

/**
 * The real SDK clients over real sockets: a closed port, a server that never answers, and a tiny
 * server answering the services' error shapes (S3's REST-XML errors and Glue's JSON 1.1 errors,
 * written from the S3 and Glue API references and the AWS protocols, not recorded). No AWS here:
 * this checks csvlake's client settings and middleware, not the services.
 */

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise<void>((done) => server.close(() => done()))
  }
})

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)))
}

/** A port that was just open and is closed now: connecting is refused at once. */
async function closedPort(): Promise<string> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((done) => server.close(() => done()))
  return `http://127.0.0.1:${port}`
}

function configFor(endpoint: string, overrides: Partial<AwsConfig> = {}): AwsConfig {
  return {
    region: 'eu-west-1',
    partition: 'aws',
    account: '123456789012',
    bucket: 'acme-csvlake',
    athena: { workGroup: 'csvlake', maxScannedBytes: 10 * 1024 ** 3 },
    ingestStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:csvlake-ingest',
    crawlerRoleArn: 'arn:aws:iam::123456789012:role/csvlake-crawler',
    tenantRoleArn: 'arn:aws:iam::123456789012:role/csvlake-tenant',
    timeoutMs: 300,
    maxAttempts: 2,
    s3: { endpoint, forcePathStyle: true },
    endpoints: { glue: endpoint, athena: endpoint, sfn: endpoint, sts: endpoint },
    eks: undefined,
    ...overrides,
  }
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

/** One cheap call per service; each answers or throws. */
const calls: Record<keyof AwsClients, (c: AwsClients) => Promise<unknown>> = {
  s3: (c) => c.s3.send(new GetObjectCommand({ Bucket: 'acme-csvlake', Key: 'lake/a/x' })),
  glue: (c) => c.glue.send(new GetTableCommand({ DatabaseName: 'csvlake_a', Name: 't' })),
  athena: (c) => c.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: 'q1' })),
  sfn: (c) => c.sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:csvlake-ingest:j1' })),
  sts: (c) => c.sts.send(new GetCallerIdentityCommand({})),
}
const names = { s3: 'S3', glue: 'Glue', athena: 'Athena', sfn: 'Step Functions', sts: 'STS' }

async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call
  } catch (err) {
    return err
  }
  throw new Error('expected the call to fail')
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work
  return { value, ms: performance.now() - started }
}

describe('AWS SDK clients with csvlake settings, over local sockets (no AWS involved)', () => {
  it.each(Object.keys(calls) as (keyof AwsClients)[])('%s: a closed port answers UNAVAILABLE naming the service, within seconds', async (service) => {
    const clients = createAwsClients(configFor(await closedPort()), { credentials })
    const { value: err, ms } = await timed(failure(calls[service](clients)))
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: names[service] } })
    expect((err as AppError).message).toMatch(new RegExp(`^${names[service]} cannot be reached \\(ECONNREFUSED after 2 attempts\\); try again in a minute\\.$`))
    expect(ms).toBeLessThan(5000)
  })

  it.each(Object.keys(calls) as (keyof AwsClients)[])('%s: a server that never answers ends in UNAVAILABLE after the timeout and the bounded retries', async (service) => {
    let requests = 0
    const endpoint = await listen(() => {
      requests++ // and never answer
    })
    const clients = createAwsClients(configFor(endpoint), { credentials })
    const { value: err, ms } = await timed(failure(calls[service](clients)))
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: names[service] } })
    expect((err as AppError).message).toContain('no answer in time after 2 attempts')
    expect(requests).toBe(2)
    expect(ms).toBeGreaterThanOrEqual(2 * 300 - 50)
    expect(ms).toBeLessThan(5000)
  }, 10_000)

  it('S3: a 500 that outlasts the retries becomes UNAVAILABLE; every attempt was made', async () => {
    let requests = 0
    const endpoint = await listen((_req, res) => {
      requests++
      res.writeHead(500, { 'content-type': 'application/xml' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>r1</RequestId></Error>')
    })
    const err = await failure(calls.s3(createAwsClients(configFor(endpoint, { maxAttempts: 3 }), { credentials })))
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'S3' }, message: 'S3 cannot be reached (it answered 500 InternalError after 3 attempts); try again in a minute.' })
    expect(requests).toBe(3)
  })

  it('Glue: throttling that outlasts the retries becomes UNAVAILABLE', async () => {
    const endpoint = await listen((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' })
      res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }))
    })
    const err = await failure(calls.glue(createAwsClients(configFor(endpoint), { credentials })))
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'Glue' } })
    expect((err as Error).message).toContain('it is throttling requests: ThrottlingException')
  })

  it("S3: NoSuchKey (404) passes through untouched, for the adapter to map", async () => {
    const endpoint = await listen((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/xml' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>lake/a/x</Key><RequestId>r1</RequestId></Error>')
    })
    const err = await failure(calls.s3(createAwsClients(configFor(endpoint), { credentials })))
    expect(err).toBeInstanceOf(NoSuchKey)
    expect(err).not.toBeInstanceOf(AppError)
  })

  it('S3: a failed precondition (412) passes through untouched', async () => {
    const endpoint = await listen((_req, res) => {
      res.writeHead(412, { 'content-type': 'application/xml' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>')
    })
    const clients = createAwsClients(configFor(endpoint), { credentials })
    const err = await failure(clients.s3.send(new PutObjectCommand({ Bucket: 'acme-csvlake', Key: 'jobs/a/j1.json', Body: '{}', IfNoneMatch: '*' })))
    expect(err).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })
    expect(err).not.toBeInstanceOf(AppError)
  })

  it('Glue: EntityNotFoundException (400, JSON 1.1) passes through untouched', async () => {
    const endpoint = await listen((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
      res.end(JSON.stringify({ __type: 'EntityNotFoundException', Message: 'Table t not found.' }))
    })
    const err = await failure(calls.glue(createAwsClients(configFor(endpoint), { credentials })))
    expect(err).toMatchObject({ name: 'EntityNotFoundException' })
    expect(err).not.toBeInstanceOf(AppError)
  })

  it("a caller's abort stays an abort, not UNAVAILABLE", async () => {
    const endpoint = await listen(() => {})
    const clients = createAwsClients(configFor(endpoint, { timeoutMs: 5000 }), { credentials })
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 50)
    const err = await failure(clients.s3.send(new GetObjectCommand({ Bucket: 'acme-csvlake', Key: 'k' }), { abortSignal: abort.signal }))
    expect(err).toMatchObject({ name: 'AbortError' })
  })

  it('S3 against an S3-compatible endpoint: path-style requests, checksums only where required', async () => {
    const seen: { url?: string; headers: IncomingMessage['headers'] }[] = []
    const endpoint = await listen((req, res) => {
      seen.push({ url: req.url, headers: req.headers })
      req.resume().on('end', () => {
        res.writeHead(200, { etag: '"e1"' })
        res.end()
      })
    })
    const clients = createAwsClients(configFor(endpoint), { credentials })
    await clients.s3.send(new PutObjectCommand({ Bucket: 'acme-csvlake', Key: 'raw/a/f1/data', Body: 'a,b\n1,2\n' }))
    expect(seen[0]!.url?.split('?')[0]).toBe('/acme-csvlake/raw/a/f1/data')
    expect(Object.keys(seen[0]!.headers).filter((h) => h.startsWith('x-amz-checksum-'))).toEqual([])
    expect(await clients.s3.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED')
    expect(await clients.s3.config.responseChecksumValidation()).toBe('WHEN_REQUIRED')
  })

  it('S3 against AWS itself keeps the SDK defaults (virtual-hosted, checksums when supported)', async () => {
    const clients = createAwsClients(configFor('unused', { s3: { endpoint: undefined, forcePathStyle: false } }), { credentials })
    expect(clients.s3.config.forcePathStyle).toBe(false)
    expect(await clients.s3.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED')
  })
})

describe('unreachableReason', () => {
  const sdkError = (name: string, status: number, fault: 'client' | 'server') =>
    Object.assign(new Error('m'), { name, $fault: fault, $metadata: { httpStatusCode: status, attempts: 3 } })

  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND glue.example'), { code: 'ENOTFOUND' }), 'ENOTFOUND'],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'no answer in time'],
    [new Error('socket hang up'), 'the connection closed'],
    [sdkError('ServiceUnavailable', 503, 'server'), 'it answered 503 ServiceUnavailable after 3 attempts'],
    [sdkError('TooManyRequestsException', 400, 'client'), 'it is throttling requests: TooManyRequestsException after 3 attempts'],
    [sdkError('SlowDown', 503, 'server'), 'it is throttling requests: SlowDown after 3 attempts'],
    [sdkError('Unknown', 429, 'client'), 'it is throttling requests: Unknown after 3 attempts'],
  ])('names a failure to reach the service: %s', (err, reason) => {
    expect(unreachableReason(err)).toBe(reason)
  })

  it.each([
    sdkError('NoSuchKey', 404, 'client'),
    sdkError('EntityNotFoundException', 400, 'client'),
    sdkError('PreconditionFailed', 412, 'client'),
    sdkError('ConditionalCheckFailedException', 400, 'client'),
    sdkError('ConcurrentModificationException', 400, 'client'),
    sdkError('AccessDeniedException', 400, 'client'),
    Object.assign(new Error('aborted'), { name: 'AbortError' }),
    new AppError('NOT_FOUND', 'gone'),
    'not an error',
  ])('leaves the request\'s own errors alone: %s', (err) => {
    expect(unreachableReason(err)).toBeUndefined()
  })
})
