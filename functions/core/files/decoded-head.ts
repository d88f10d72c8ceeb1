import { createGunzip } from 'node:zlib'
import { AppError } from '../errors.ts'
import type { ObjectStore } from '../ports/object-store.ts'

export type DecodedHead = { bytes: Uint8Array; truncated: boolean }

/**
 * The first `maxBytes` of a file's content, decompressed when it is gzip. Reads only as much of
 * the object as that takes, so the time does not grow with the file.
 */
export async function readDecodedHead(
  store: ObjectStore,
  key: string,
  compression: 'none' | 'gzip',
  maxBytes: number,
): Promise<DecodedHead> {
  if (compression === 'none') {
    const bytes = await store.readHead(key, maxBytes + 1)
    return { bytes: bytes.subarray(0, maxBytes), truncated: bytes.byteLength > maxBytes }
  }
  const source = await store.get(key)
  const gunzip = createGunzip()
  const chunks: Buffer[] = []
  let total = 0
  let truncated = false
  try {
    for await (const chunk of source.pipe(gunzip) as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      total += chunk.byteLength
      if (total > maxBytes) {
        truncated = true
        break
      }
    }
  } catch (err) {
    throw new AppError('NOT_CSV', 'This file starts like gzip but does not decompress; upload it again.', {}, { cause: err })
  } finally {
    source.destroy()
    gunzip.destroy()
  }
  return { bytes: Buffer.concat(chunks).subarray(0, maxBytes), truncated }
}
