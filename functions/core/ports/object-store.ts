import type { Readable } from 'node:stream'

export type ListPage = { keys: string[]; more: boolean }

/**
 * Where every byte csvlake keeps lives: a folder on disk locally, an S3 bucket on AWS.
 * Keys are '/'-separated and always start with a kind and a tenant (see `keys.ts`).
 */
export interface ObjectStore {
  /**
   * Streams `body` under `key`. The object becomes visible only once every byte is written;
   * if the body errors or the process dies, nothing is left under `key`.
   */
  put(key: string, body: Readable | AsyncIterable<Uint8Array>): Promise<{ bytes: number }>
  /**
   * Writes a small object atomically. `durable: false` skips forcing it to disk first (still
   * all-or-nothing, but a power cut may lose it): for records that are cheap to lose.
   */
  putBytes(key: string, data: Uint8Array | string, opts?: { durable?: boolean }): Promise<void>
  /** The whole object as a stream; throws AppError NOT_FOUND when missing. */
  get(key: string): Promise<Readable>
  /** A small object, or undefined when missing. */
  getBytes(key: string): Promise<Uint8Array | undefined>
  /** At most the first `maxBytes` bytes; throws AppError NOT_FOUND when missing. */
  readHead(key: string, maxBytes: number): Promise<Uint8Array>
  /** Size in bytes, or undefined when missing. */
  size(key: string): Promise<number | undefined>
  /** Every key under `prefix` (recursively), sorted. Reads the whole folder: not for listings that grow with history. */
  list(prefix: string): Promise<string[]>
  /**
   * One page of what lies directly under the folder `prefix` (ending in '/'), in key order:
   * objects by their keys, sub-folders by their prefixes (ending in '/'); only those after
   * `startAfter`, at most `limit`; `more` when a next page exists. S3: ListObjectsV2 with
   * Delimiter '/', StartAfter and MaxKeys, so a page costs the same however big the folder.
   */
  listPage(prefix: string, page: { limit: number; startAfter?: string }): Promise<ListPage>
  /** Bytes of every object under `prefix`, recursively; 0 when there is none. */
  sizeUnder(prefix: string): Promise<number>
  delete(key: string): Promise<void>
  deletePrefix(prefix: string): Promise<void>
}
