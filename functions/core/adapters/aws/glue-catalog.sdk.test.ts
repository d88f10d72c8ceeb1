import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { catalogContract } from '../../ports/catalog.contract.ts'
import { tenantId } from '../../tenant.ts'
import { FakeGlue, FakeGlueError } from '../fake/fake-glue.ts'
import { GlueCatalog } from './glue-catalog.ts'
import { glueSdkClient } from './glue-sdk.ts'

/**
 * Glue's JSON 1.1 wire protocol over real HTTP, answered by FakeGlue: the request's X-Amz-Target
 * (`AWSGlue.GetTable`) names the operation, the body is its input; the answer is its output as
 * JSON (timestamps as epoch seconds), an error a 400 with `__type`. Written from the Glue API
 * reference and the AWS JSON 1.1 protocol, not recorded. So the SDK client runs whole: its
 * serialization, error parsing and retry strategy.
 */
function glueOverHttp(glue: FakeGlue): Promise<{ server: Server; endpoint: string }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSGlue\./, '')
    const method = operation.charAt(0).toLowerCase() + operation.slice(1)
    const handler = (glue as unknown as Record<string, ((input: unknown) => Promise<unknown>) | undefined>)[method]
    const send = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) })
      res.end(
        JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
          const original = this[key]
          return original instanceof Date ? original.getTime() / 1000 : value
        }),
      )
    }
    if (!handler) return send(400, { __type: 'UnknownOperationException', message: operation }, 'UnknownOperationException')
    try {
      send(200, await handler.call(glue, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')))
    } catch (err) {
      const name = err instanceof FakeGlueError ? err.name : 'InternalServiceException'
      send(400, { __type: name, Message: err instanceof Error ? err.message : String(err) }, name)
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })))
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const closeServer = (server: Server) => new Promise<void>((done) => server.close(() => done()))

catalogContract('GlueCatalog through the AWS SDK Glue client over real HTTP (the JSON protocol answered by FakeGlue, written from the API reference)', async () => {
  const { server, endpoint } = await glueOverHttp(new FakeGlue())
  const open = () => {
    const glue = glueSdkClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 })
    return new GlueCatalog({ glueFor: () => glue, bucket: 'csvlake-data' })
  }
  return { catalog: open(), replica: open, close: () => closeServer(server) }
})

describe('GlueCatalog through the AWS SDK Glue client over real HTTP (FakeGlue answering, written from the API reference)', () => {
  let server: Server | undefined
  afterEach(async () => {
    if (server) await closeServer(server)
  })

  it('is retried by the SDK’s retry strategy, not the catalog, when Glue answers ThrottlingException', async () => {
    const fake = new FakeGlue()
    const started = await glueOverHttp(fake)
    server = started.server
    const glue = glueSdkClient({ endpoint: started.endpoint, region: 'us-east-1', credentials, maxAttempts: 3 })
    const catalog = new GlueCatalog({ glueFor: () => glue, bucket: 'csvlake-data' })
    fake.failNext('GetTable', 'ThrottlingException')
    expect(await catalog.get(tenantId('t1'), 'sales')).toBeUndefined()
    expect(fake.calls.GetTable).toBe(2)
  })

  it('reaches the caller as ThrottlingException once the SDK’s attempts are spent', async () => {
    const fake = new FakeGlue()
    const started = await glueOverHttp(fake)
    server = started.server
    const glue = glueSdkClient({ endpoint: started.endpoint, region: 'us-east-1', credentials, maxAttempts: 2 })
    const catalog = new GlueCatalog({ glueFor: () => glue, bucket: 'csvlake-data' })
    fake.failNext('GetTables', 'ThrottlingException')
    fake.failNext('GetTables', 'ThrottlingException')
    await expect(catalog.list(tenantId('t1'))).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })
    expect(fake.calls.GetTables).toBe(2)
  })
})
