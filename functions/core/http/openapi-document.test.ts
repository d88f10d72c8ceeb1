import { describe, expect, it } from 'vitest'
import { doc, named, z } from '../zod.ts'
import { createLogger } from '../logger.ts'
import { createApp, defineRoute, errors, intParam, json, type RouteSpec } from './openapi.ts'
import { openApiDocument } from './openapi-document.ts'

const info = { title: 't', version: '1', description: 'd' }

const Thing = named('Thing', z.object({ id: doc(z.string(), { example: 't_1' }), size: z.optional(z.int()) }))
const Box = named('Box', z.object({ things: z.array(Thing), label: z.nullable(z.string()) }))

const getRoute = defineRoute({
  method: 'get',
  path: '/api/boxes/{boxId}',
  summary: 'A box',
  request: {
    params: z.object({ boxId: z.string() }),
    query: z.object({ limit: z.optional(intParam(1, 10)), label: doc(z.string(), { description: 'Which label' }) }),
  },
  responses: { 200: json(Box, 'The box'), ...errors(404) },
})

const putRoute = defineRoute({
  method: 'put',
  path: '/api/boxes/{boxId}',
  summary: 'Put a box',
  request: {
    params: z.object({ boxId: z.string() }),
    body: { content: { 'application/json': { schema: z.strictObject({ thing: Thing, mode: z._default(z.enum(['a', 'b']), 'a') }) } }, required: true },
  },
  responses: { 200: json(z.object({ ok: z.boolean() }), 'Done') },
})

describe('the OpenAPI document generated from the routes', () => {
  const document = openApiDocument([getRoute, putRoute], info) as any

  it('lists named schemas once, as components, and refers to them by $ref - also from inside each other', () => {
    expect(Object.keys(document.components.schemas).sort()).toEqual(['Box', 'Error', 'Thing'])
    expect(document.components.schemas.Box.properties.things.items).toEqual({ $ref: '#/components/schemas/Thing' })
    expect(document.components.schemas.Thing.properties.id).toEqual({ type: 'string', example: 't_1' })
    expect(document.paths['/api/boxes/{boxId}'].get.responses[200].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Box',
    })
  })

  it('writes path and query schemas as parameters, required as the schema says, coerced integers as integers', () => {
    const parameters = document.paths['/api/boxes/{boxId}'].get.parameters
    expect(parameters).toEqual([
      { name: 'boxId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10 } },
      { name: 'label', in: 'query', required: true, description: 'Which label', schema: { type: 'string', description: 'Which label' } },
    ])
  })

  it('writes unnamed bodies in place, as the client sends them (defaults optional, unknown keys refused)', () => {
    const body = document.paths['/api/boxes/{boxId}'].put.requestBody
    expect(body.required).toBe(true)
    expect(body.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { thing: { $ref: '#/components/schemas/Thing' }, mode: { type: 'string', enum: ['a', 'b'], default: 'a' } },
      required: ['thing'],
      additionalProperties: false,
    })
  })

  it('says which operations need no bearer token (the rest inherit the document\'s bearerAuth)', () => {
    const open = openApiDocument([{ ...getRoute, public: true }, putRoute], info) as any
    expect(open.security).toEqual([{ bearerAuth: [] }])
    expect(open.paths['/api/boxes/{boxId}'].get.security).toEqual([])
    expect(open.paths['/api/boxes/{boxId}'].put).not.toHaveProperty('security')
  })

  it('leaves out named schemas no route uses', () => {
    named('Unused', z.object({ x: z.string() }))
    expect(openApiDocument([getRoute], info).components).not.toHaveProperty('schemas.Unused')
  })
})

/** The same request, answered with what the handler was handed. */
const echo = <R extends RouteSpec>(route: R) => {
  const responses = { 200: json(z.record(z.string(), z.any()), 'What the handler was handed') }
  return { ...route, responses } as Omit<R, 'responses'> & { responses: typeof responses }
}

describe('a documented route validates its request before the handler runs', () => {
  const app = createApp(createLogger({ quiet: true }))
  app.openapi(echo(getRoute), (c) => c.json({ param: c.req.valid('param'), query: c.req.valid('query') }, 200))
  app.openapi(echo(putRoute), (c) => c.json({ body: c.req.valid('json') }, 200))

  it('is compiled against its responses: a body off its schema, or an undocumented status, does not type-check', () => {
    const checked = createApp(createLogger({ quiet: true }))
    // @ts-expect-error - the 200 of putRoute is {ok: boolean}
    checked.openapi(putRoute, (c) => c.json({ ok: 'yes' }, 200))
    // @ts-expect-error - putRoute documents no 201
    checked.openapi(putRoute, (c) => c.json({ ok: true }, 201))
    checked.openapi(putRoute, (c) => c.json({ ok: true }, 200))
    expect(checked.operations).toHaveLength(3)
  })
  const put = (body: string, type = 'application/json') =>
    app.request('/api/boxes/b1', { method: 'PUT', body, headers: { 'content-type': type } })

  it('hands the handler parsed values: a coerced integer, defaults filled in', async () => {
    expect(await (await app.request('/api/boxes/b1?limit=3&label=x')).json()).toEqual({ param: { boxId: 'b1' }, query: { limit: 3, label: 'x' } })
    expect(await (await put('{"thing":{"id":"t"}}')).json()).toEqual({ body: { thing: { id: 't' }, mode: 'a' } })
  })

  it('answers 400 naming the field that is wrong', async () => {
    const res = await app.request('/api/boxes/b1?limit=11&label=x')
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 'BAD_REQUEST', field: 'limit', message: expect.stringMatching(/^limit: .*10/) } })
    const extra = await put('{"thing":{"id":"t"},"colour":"red"}')
    expect(extra.status).toBe(400)
    expect((await extra.json()).error.message).toMatch(/colour/)
  })

  it('answers 400 to malformed JSON and 415 to a body that is not JSON', async () => {
    const malformed = await put('{"thing":')
    expect(malformed.status).toBe(400)
    expect((await malformed.json()).error.message).toMatch(/not valid JSON/)
    expect((await put('thing=1', 'application/x-www-form-urlencoded')).status).toBe(415)
  })
})
