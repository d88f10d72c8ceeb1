import { Hono, type Env, type Handler, type MiddlewareHandler, type TypedResponse } from 'hono'
import type { JSONParsed } from 'hono/utils/types'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import { doc, named, z } from '../zod.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { TenantId } from '../tenant.ts'
import { createOnError, onNotFound } from './on-error.ts'

/** What every function's handlers can read from the context: the caller's tenant. */
export type TenantEnv = Env & { Variables: { tenant: TenantId } }

type Schema = z.ZodMiniType
type Content = Record<string, { schema: Schema }>

/**
 * One operation of the API, in OpenAPI's own terms: the schemas validate the request at run
 * time and describe it in the document (generated from these on request, by the docs function).
 */
export type RouteSpec = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  /** OpenAPI's path syntax: /api/query/{queryId} */
  path: `/${string}`
  summary: string
  description?: string
  /** Answers without a bearer token even when an identity provider is configured. */
  public?: boolean
  request?: {
    params?: z.ZodMiniObject
    query?: z.ZodMiniObject
    body?: { content: Content; required?: boolean }
  }
  responses: Record<number, { description: string; content?: Content }>
}

export const defineRoute = <const R extends RouteSpec>(route: R): R => route

type Req<R extends RouteSpec> = NonNullable<R['request']>
type ValidatedOf<R extends RouteSpec> = (Req<R> extends { params: infer P extends Schema } ? { param: z.output<P> } : {}) &
  (Req<R> extends { query: infer Q extends Schema } ? { query: z.output<Q> } : {}) &
  (Req<R> extends { body: { content: { 'application/json': { schema: infer B extends Schema } } } } ? { json: z.output<B> } : {})

/**
 * What a handler of `R` may answer: for each documented JSON response, `c.json(body, status)` with a
 * body of its schema (checked when compiled, so the document cannot drift from the code); a plain
 * Response only for statuses documented with another content type (a CSV download).
 */
type AnswerOf<R extends RouteSpec> = {
  [S in keyof R['responses'] & number]: R['responses'][S] extends { content: { 'application/json': { schema: infer T extends Schema } } }
    ? Response & TypedResponse<JSONParsed<z.input<T>>, S & TypedResponse['_status'], 'json'>
    : R['responses'][S] extends { content: Content }
      ? Response
      : never
}[keyof R['responses'] & number]

/** A function's routes: Hono, plus the operations it documents. */
export class CsvlakeApp extends Hono<TenantEnv> {
  readonly operations: RouteSpec[] = []

  /** Lists a route in the document whose handler reads the request itself (the streamed upload). */
  document(route: RouteSpec): this {
    this.operations.push(route)
    return this
  }

  /** Registers a documented route whose params, query and JSON body are validated before `handler` runs. */
  openapi<const R extends RouteSpec>(
    route: R,
    handler: Handler<TenantEnv, string, { out: ValidatedOf<R> }, AnswerOf<R> | Promise<AnswerOf<R>>>,
  ): this {
    this.operations.push(route)
    const checks: MiddlewareHandler[] = []
    const request = route.request
    if (request?.query) checks.push(validator('query', parseWith(request.query)))
    if (request?.params) checks.push(validator('param', parseWith(request.params)))
    const body = request?.body?.content['application/json']?.schema
    if (body) checks.push(requireJson, validator('json', parseWith(body)))
    this.on([route.method.toUpperCase()], [route.path.replaceAll(/\{(\w+)\}/g, ':$1')], ...checks, handler as Handler)
    return this
  }
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

/** A JSON body must say it is one; without a body at all the schema says what is missing. */
const requireJson: MiddlewareHandler = async (c, next) => {
  const type = c.req.header('content-type')
  if (type ? !JSON_TYPE.test(type) : (c.req.header('content-length') ?? '0') !== '0') {
    throw new HTTPException(415, { message: 'Unsupported Media Type' })
  }
  await next()
}

const parseWith = (schema: Schema) => (value: unknown) => {
  const result = schema.safeParse(value)
  if (!result.success) rejectInvalid(result.error)
  return result.data as never
}

/** Validation failures use the one error shape too, with the field that was wrong. */
export function rejectInvalid(error: z.ZodError): never {
  const issue = error.issues[0]
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  throw new AppError('BAD_REQUEST', `${where}${issue?.message ?? 'invalid request'}`, {
    field: issue?.path.join('.') ?? null,
  })
}

export const ErrorBody = named(
  'Error',
  z.object({
    error: z.looseObject({
      code: doc(z.string(), { example: 'NOT_FOUND' }),
      message: doc(z.string(), { example: 'The file was not found. Check the id; it may have been deleted.' }),
    }),
  }),
)

/** A whole number in a query string: coerced from the text, checked, documented as an integer. */
export const intParam = (min: number, max: number) =>
  doc(z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max))), { type: 'integer', minimum: min, maximum: max })

export function createApp(log: Logger): CsvlakeApp {
  const app = new CsvlakeApp()
  app.onError(createOnError(log))
  app.notFound(onNotFound)
  return app
}

export const json = <T extends Schema>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})

export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, json(ErrorBody, describeStatus(s))]))

function describeStatus(status: number): string {
  const text: Record<number, string> = {
    400: 'Malformed or invalid input',
    401: 'Missing or invalid credentials',
    403: 'Not allowed',
    404: 'No such thing for this caller',
    409: 'Conflicts with what exists',
    413: 'Too large',
    415: 'Wrong content type',
    429: 'Too many at once; retry later',
  }
  return text[status] ?? 'Error'
}
