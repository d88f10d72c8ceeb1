import { AppError } from '../errors.ts'

/** Pages are at most this many rows, as Athena's GetQueryResults. */
export const MAX_PAGE_ROWS = 1000

/** The longest nextToken the API takes: the row, and the engine's own token (Athena's NextToken is up to 1024 characters). */
export const MAX_PAGE_TOKEN_LENGTH = 1500

/** Where a page starts: its row, and the engine's token for that row when the engine gave one. */
export type PageStart = { offset: number; token?: string }

/**
 * An opaque token for the next page: the row it starts at, and the engine's token for it when the
 * engine reads forward only (Athena), so no server keeps state between pages.
 */
export function encodePageToken(at: PageStart): string {
  return Buffer.from(at.token === undefined ? `o:${at.offset}` : `o:${at.offset}:${at.token}`).toString('base64url')
}

export function decodePageToken(token: string | undefined): PageStart {
  if (token === undefined || token === '') return { offset: 0 }
  const match = /^o:(\d{1,15})(?::([\x21-\x7e]{1,1100}))?$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
  if (!match) throw new AppError('BAD_REQUEST', 'nextToken is not one this API gave out; pass it back exactly as received.')
  return { offset: Number(match[1]), ...(match[2] === undefined ? {} : { token: match[2] }) }
}
