import { AppError } from '../errors.ts'

/** Pages are at most this many rows, as Athena's GetQueryResults. */
export const MAX_PAGE_ROWS = 1000

/** An opaque token for the next page: the offset, so a page reads straight from the stored result. */
export function encodePageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url')
}

export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0
  const match = /^o:(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'))
  if (!match) throw new AppError('BAD_REQUEST', 'nextToken is not one this API gave out; pass it back exactly as received.')
  return Number(match[1])
}
