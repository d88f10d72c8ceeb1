import type { Readable } from 'node:stream'
import { AppError } from '../errors.ts'

export type ListPage = { keys: string[]; more: boolean }

/**
 * How a small write may be conditioned, as S3's conditional PutObject takes it:
 * `ifNoneMatch: '*'` writes only if no object is under the key (create only);
 * `ifMatch: etag` writes only if the object is still the one read with that etag (replace only
 * if unchanged). At most one of the two. `durable: false` skips forcing the bytes to disk (still
 * all-or-nothing; a power cut may lose them): for records that are cheap to lose.
 */
export type PutBytesOptions = { durable?: boolean; ifNoneMatch?: '*'; ifMatch?: string }

export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string }

/** The condition of a write, if it has one (refuses both at once, as S3 does). */
export function writeCondition(opts: PutBytesOptions): WriteCondition | undefined {
  if (opts.ifNoneMatch !== undefined && opts.ifMatch !== undefined) {
    throw new AppError('BAD_REQUEST', 'A write takes ifNoneMatch or ifMatch, not both')
  }
  if (opts.ifNoneMatch !== undefined) return { ifNoneMatch: opts.ifNoneMatch }
  if (opts.ifMatch !== undefined) return { ifMatch: opts.ifMatch }
  return undefined
}

/**
 * A conditional write found the object not as the condition said: it exists (`ifNoneMatch`), or
 * it changed or vanished since it was read (`ifMatch`). Nothing was written. The caller reads the
 * object again and decides again (a retry loop), as S3 advises for its 412 and 409 answers.
 */
export class PreconditionFailed extends AppError {
  constructor(
    readonly key: string,
    readonly condition: WriteCondition,
  ) {
    super('CONFLICT', 'The record changed while it was being written; try again.', {
      key,
      ...('ifMatch' in condition ? { ifMatch: condition.ifMatch } : { ifNoneMatch: '*' }),
    })
    this.name = 'PreconditionFailed'
  }
}

/**
 * Where every byte csvlake keeps lives: a folder on disk locally, an S3 bucket on AWS.
 * Keys are '/'-separated and always start with a kind and a tenant (see `keys.ts`).
 *
 * The port is shaped so S3 can honour it as it is: listings come a page at a time (ListObjectsV2
 * answers at most 1000 keys a request), records that several replicas write use conditional
 * writes (PutObject with If-None-Match / If-Match) instead of an in-process lock, and etags are
 * opaque strings the store hands out (S3's ETag; locally a hash of the bytes).
 */
export interface ObjectStore {
  /**
   * Streams `body` under `key`. The object becomes visible only once every byte is written;
   * if the body errors or the process dies, nothing is left under `key`.
   * S3: a multipart upload (or one PutObject when small), aborted when the body fails.
   */
  put(key: string, body: Readable | AsyncIterable<Uint8Array>): Promise<{ bytes: number }>
  /**
   * Writes a small object atomically and answers its etag. With `ifNoneMatch: '*'` or
   * `ifMatch: etag` the write happens only if the condition holds at the moment of writing, or
   * fails with `PreconditionFailed` and writes nothing: two writers racing on one key never
   * both succeed. S3: PutObject with If-None-Match / If-Match (its 412 PreconditionFailed, 409
   * ConditionalRequestConflict and, for If-Match on a missing key, 404 NoSuchKey all become
   * PreconditionFailed).
   */
  putBytes(key: string, data: Uint8Array | string, opts?: PutBytesOptions): Promise<{ etag: string }>
  /** The whole object as a stream; throws AppError NOT_FOUND when missing. */
  get(key: string): Promise<Readable>
  /** A small object, or undefined when missing. */
  getBytes(key: string): Promise<Uint8Array | undefined>
  /**
   * A small object with the etag of exactly those bytes (to pass as `ifMatch` when writing it
   * back), or undefined when missing. S3: one GetObject, whose answer carries the ETag.
   */
  getBytesWithTag(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined>
  /**
   * At most the first `maxBytes` bytes; an empty object answers empty; throws AppError NOT_FOUND
   * when missing. S3: a ranged GetObject (which answers 416 InvalidRange for an empty object:
   * the adapter answers empty bytes).
   */
  readHead(key: string, maxBytes: number): Promise<Uint8Array>
  /**
   * The bytes from `start` up to (not including) `end`, cut at the object's end (a range past
   * the end answers empty); throws AppError NOT_FOUND when missing. For formats whose index is at
   * the end (Parquet's footer): a reader takes the parts it needs, never the whole object.
   * S3: a ranged GetObject (`bytes=start-(end-1)`; its 416 for a range past the end answers empty).
   */
  readRange(key: string, start: number, end: number): Promise<Uint8Array>
  /** Size in bytes, or undefined when missing. */
  size(key: string): Promise<number | undefined>
  /**
   * Every key under `prefix` (recursively), in key order, only those after `startAfter`, fetched
   * a page at a time as the caller iterates: a caller that stops early reads no further, and
   * memory does not grow with the listing. S3: ListObjectsV2 (no Delimiter) with MaxKeys
   * `pageSize` (default 1000), StartAfter, then ContinuationToken. A key written a moment ago
   * may be missing from a listing on stores that list eventually (some S3-compatible ones):
   * listings find records, they never prove one absent.
   */
  keys(prefix: string, opts?: { startAfter?: string; pageSize?: number }): AsyncIterable<string>
  /**
   * One page of what lies directly under the folder `prefix` (ending in '/'), in key order:
   * objects by their keys, sub-folders by their prefixes (ending in '/'); only those after
   * `startAfter`, at most `limit`; `more` when a next page exists. S3: ListObjectsV2 with
   * Delimiter '/', StartAfter and MaxKeys, so a page costs the same however big the folder.
   */
  listPage(prefix: string, page: { limit: number; startAfter?: string }): Promise<ListPage>
  /** Bytes of every object under `prefix`, recursively; 0 when there is none. */
  sizeUnder(prefix: string): Promise<number>
  /**
   * Removes the object; a missing one is not an error (S3 DeleteObject answers 204 either way).
   * With `ifMatch: etag` it is removed only if it is still the one read with that etag, else
   * PreconditionFailed and nothing is removed: a delete never undoes a change it did not see.
   * S3: DeleteObject with If-Match (412 PreconditionFailed, 409 on a concurrent write, 404 NoSuchKey
   * when it is gone all become PreconditionFailed).
   */
  delete(key: string, opts?: { ifMatch?: string }): Promise<void>
  /** Removes every object under `prefix`. S3: list, then DeleteObjects 1000 keys a request. */
  deletePrefix(prefix: string): Promise<void>
}

/** Collects a listing (for callers that need it whole, and for tests). */
export async function collectKeys(listing: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = []
  for await (const key of listing) all.push(key)
  return all
}
