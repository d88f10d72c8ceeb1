import { AppError } from './errors.ts'
import { doc, z } from './zod.ts'

export { newId } from './new-id.ts'

const idSchema = (prefix: string, what: string, example: string) =>
  doc(z.string().check(z.regex(new RegExp(`^${prefix}_[0-9a-f]{32}$`), `${what} ids look like ${prefix}_ followed by 32 hex digits`)), { example })

export const FileId = idSchema('f', 'file', 'f_3b2a5c0e9d8f4e6a8b1c2d3e4f5a6b7c')
export const JobId = idSchema('j', 'job', 'j_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f')
export const QueryId = idSchema('q', 'query', 'q_9f8e7d6c5b4a39281706f5e4d3c2b1a0')

/**
 * The `nextToken` of a listing: opaque to clients, the id of the last item of the page (the
 * next page starts after it, so items added or removed meanwhile never shift it).
 */
export function encodeAfterToken(id: string): string {
  return Buffer.from(id).toString('base64url')
}

/** The id a `nextToken` names; a token this API did not give out answers 400. */
export function decodeAfterToken(token: string | undefined, prefix: 'f' | 'j' | 'q' | 's'): string | undefined {
  if (token === undefined || token === '') return undefined
  const id = Buffer.from(token, 'base64url').toString('utf8')
  if (!new RegExp(`^${prefix}_[0-9a-f]{32}$`).test(id)) {
    throw new AppError('BAD_REQUEST', 'nextToken is not one this API gave out; pass it back exactly as received.')
  }
  return id
}
