import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FakeGlue, FakeGlueError } from '../core/adapters/fake/fake-glue.ts'

/**
 * Glue's JSON 1.1 wire protocol over real HTTP, answered by FakeGlue: the request's X-Amz-Target
 * (`AWSGlue.GetTable`) names the operation, the body is its input; the answer is its output as
 * JSON (timestamps as epoch seconds), an error a 400 with `__type`. Written from the Glue API
 * reference and the AWS JSON 1.1 protocol, not recorded. So the SDK client runs whole: its
 * serialization, error parsing and retry strategy.
 */
export function glueOverHttp(glue: FakeGlue): Promise<{ server: Server; endpoint: string }> {
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

