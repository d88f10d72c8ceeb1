import { registry, toJSONSchema } from 'zod/mini'
import { docs, z } from '../zod.ts'
import type { RouteSpec } from './openapi.ts'

type JsonSchema = Record<string, unknown>
type Info = { title: string; version: string; description: string }

const COMPONENT = '#/components/schemas/'

/**
 * The OpenAPI 3.1 document of `operations`, from the same zod schemas that validate them:
 * named schemas become components, everything else is written in place.
 */
export function openApiDocument(operations: RouteSpec[], info: Info): JsonSchema {
  // One conversion for every schema, so a named one met anywhere becomes a $ref.
  const all = registry<{ id: string }>()
  for (const [id, schema] of docs._idmap) all.add(schema, { id })
  let anonymous = 0
  const idOf = (schema: z.ZodMiniType) => {
    const id = docs.get(schema)?.id ?? all.get(schema)?.id
    if (id) return id
    const fresh = `__inline${anonymous++}`
    all.add(schema, { id: fresh })
    return fresh
  }
  const planned = operations.map((op) => ({
    op,
    params: op.request?.params && idOf(op.request.params),
    query: op.request?.query && idOf(op.request.query),
    body: op.request?.body && contentIds(op.request.body.content, idOf),
    responses: Object.entries(op.responses).map(([status, r]) => ({ status, r, content: r.content && contentIds(r.content, idOf) })),
  }))
  const converted = toJSONSchema(all, {
    metadata: docs,
    uri: (id) => COMPONENT + id,
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }).schemas as Record<string, JsonSchema>
  const schemas: Record<string, JsonSchema> = {}
  for (const [id, schema] of Object.entries(converted)) schemas[id] = clean(schema)
  const use = (id: string): JsonSchema => (id.startsWith('__inline') ? schemas[id]! : { $ref: COMPONENT + id })

  const paths: Record<string, Record<string, unknown>> = {}
  for (const { op, params, query, body, responses } of planned) {
    const parameters = [...(params ? parametersOf(schemas[params]!, 'path') : []), ...(query ? parametersOf(schemas[query]!, 'query') : [])]
    ;(paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(op.public ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(body ? { requestBody: { required: op.request?.body?.required ?? false, content: contentOf(body, use) } } : {}),
      responses: Object.fromEntries(
        responses.map(({ status, r, content }) => [status, { description: r.description, ...(content ? { content: contentOf(content, use) } : {}) }]),
      ),
    }
  }
  const components = referenced(schemas, paths)
  return {
    openapi: '3.1.0',
    info,
    security: [{ bearerAuth: [] }],
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: components },
    paths,
  }
}

/** The named schemas the paths use, directly or through each other (none with an unresolved $ref). */
function referenced(schemas: Record<string, JsonSchema>, paths: unknown): Record<string, JsonSchema> {
  const used: Record<string, JsonSchema> = {}
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!node || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT)) {
        const id = value.slice(COMPONENT.length)
        const schema = schemas[id]
        if (!schema || id.startsWith('__')) throw new Error(`The OpenAPI document refers to ${id}, which is not a named schema`)
        if (!(id in used)) visit((used[id] = schema))
      } else visit(value)
    }
  }
  visit(paths)
  return Object.fromEntries(Object.keys(schemas).filter((id) => id in used).map((id) => [id, used[id]!]))
}

function contentIds(content: Record<string, { schema: z.ZodMiniType }>, idOf: (s: z.ZodMiniType) => string) {
  return Object.fromEntries(Object.entries(content).map(([type, { schema }]) => [type, idOf(schema)]))
}

function contentOf(ids: Record<string, string>, use: (id: string) => JsonSchema) {
  return Object.fromEntries(Object.entries(ids).map(([type, id]) => [type, { schema: use(id) }]))
}

/** An object schema's properties as OpenAPI parameters (path or query). */
function parametersOf(object: JsonSchema, where: 'path' | 'query') {
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((object.required ?? []) as string[])
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }))
}

/** Drops what only a standalone JSON Schema needs, and the bounds every safe integer has anyway. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _s, $id: _i, ...rest } = schema
  return JSON.parse(JSON.stringify(rest), (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value) && value.type === 'integer') {
      if (value.minimum === Number.MIN_SAFE_INTEGER) delete value.minimum
      if (value.maximum === Number.MAX_SAFE_INTEGER) delete value.maximum
    }
    return value
  }) as JsonSchema
}
