import { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '../zod.ts'
import type { Hook } from '@hono/zod-openapi'
import type { Env } from 'hono'
import { AppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { TenantId } from '../tenant.ts'
import { createOnError, onNotFound } from './on-error.ts'

/** What every function's handlers can read from the context: the caller's tenant. */
export type TenantEnv = Env & { Variables: { tenant: TenantId } }

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'NOT_FOUND' }),
      message: z.string().openapi({ example: 'The file was not found. Check the id; it may have been deleted.' }),
    }).passthrough(),
  })
  .openapi('Error')

/** Validation failures use the one error shape too, with the field that was wrong. */
export const rejectInvalid: Hook<unknown, TenantEnv, string, unknown> = (result) => {
  if (result.success) return
  const issue = result.error.issues[0]
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  throw new AppError('BAD_REQUEST', `${where}${issue?.message ?? 'invalid request'}`, {
    field: issue?.path.join('.') ?? null,
  })
}

export function createApp(log: Logger) {
  const app = new OpenAPIHono<TenantEnv>({ defaultHook: rejectInvalid })
  app.onError(createOnError(log))
  app.notFound(onNotFound)
  return app
}

export type CsvlakeApp = ReturnType<typeof createApp>

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
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
