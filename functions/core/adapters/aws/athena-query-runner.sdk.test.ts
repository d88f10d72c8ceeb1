import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { contractAnswers, queryRunnerContract } from '../../ports/query-runner.contract.ts'
import { FakeAthena, FakeAwsError } from '../fake/fake-athena.ts'
import { AthenaQueryRunner } from './athena-query-runner.ts'
import { athenaSdkClient } from './athena-sdk.ts'

/**
 * Athena's JSON 1.1 wire protocol over real HTTP, answered by FakeAthena: the request's
 * X-Amz-Target names the operation, the body is its input; the answer is its output as JSON
 * (timestamps as epoch seconds), an error a 400 with `__type`. Written from the Athena API
 * reference and the AWS JSON 1.1 protocol, not recorded.
 */
function athenaOverHttp(athena: FakeAthena): Promise<{ server: Server; endpoint: string }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '')
    const method = operation.charAt(0).toLowerCase() + operation.slice(1)
    const handler = (athena as unknown as Record<string, ((input: unknown) => Promise<unknown>) | undefined>)[method]
    const send = (status: number, body: unknown, type?: string) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) })
      res.end(JSON.stringify(body, (_key, value: unknown) => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) / 1000 : value)))
    }
    if (!handler) return send(400, { __type: 'UnknownOperationException', message: operation }, 'UnknownOperationException')
    try {
      send(200, await handler.call(athena, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')))
    } catch (err) {
      const name = err instanceof FakeAwsError ? err.name : 'InternalServerException'
      send(400, { __type: name, Message: err instanceof Error ? err.message : String(err) }, name)
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })))
}

queryRunnerContract('Athena through the AWS SDK over real HTTP (the JSON protocol answered by FakeAthena, written from the API reference)', async () => {
  const athena = new FakeAthena(contractAnswers)
  const { server, endpoint } = await athenaOverHttp(athena)
  const client = athenaSdkClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const runner = new AthenaQueryRunner({ athenaFor: () => client, outputs: athena.outputs(), workGroup: 'csvlake', databaseOf: (t) => `csvlake_${t}`, pollMs: 5 })
  return {
    runner,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
})
