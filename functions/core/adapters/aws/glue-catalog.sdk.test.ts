import type { Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { catalogContract } from '../../ports/catalog.contract.ts'
import { tenantId } from '../../tenant.ts'
import { glueOverHttp } from '../../../testing/glue-over-http.ts'
import { FakeGlue, FakeGlueError } from '../fake/fake-glue.ts'
import { GlueCatalog } from './glue-catalog.ts'
import { glueSdkClient } from './glue-sdk.ts'

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
