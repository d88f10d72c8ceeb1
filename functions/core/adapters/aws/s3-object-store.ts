import { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { AppError, notFound } from '../../errors.ts'
import { PreconditionFailed, writeCondition, type ListPage, type ObjectStore, type PutBytesOptions } from '../../ports/object-store.ts'
import { awsErrorName } from './athena-api.ts'

/** S3's largest page of a listing, and of a DeleteObjects request. */
const S3_PAGE = 1000
const MiB = 1024 * 1024

export type S3ObjectStoreDeps = {
  /** The SDK's client, made once per process. */
  s3: S3Client
  bucket: string
  /** Bytes of each multipart part (S3's minimum is 5 MiB, except the last). */
  partBytes?: number
  /** Parts sent at once: memory of one upload is at most partBytes x (queueSize + 1). */
  queueSize?: number
}

/** Answers that mean a conditional write's condition did not hold (S3 API reference, PutObject / DeleteObject). */
const CONDITION_FAILED = new Set(['PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey'])

/**
 * The ObjectStore on S3 (or any S3-compatible server) through the SDK v3 client:
 * - `put` streams the body as a multipart upload (lib-storage's Upload) while it arrives, holding
 *   at most a few parts in memory; a body smaller than a part is one PutObject. If the body fails,
 *   the upload is aborted, so nothing shows under the key (S3 shows an object only once complete).
 * - records use PutObject / DeleteObject with If-None-Match / If-Match; 412 PreconditionFailed,
 *   409 ConditionalRequestConflict and (for If-Match) 404 NoSuchKey become PreconditionFailed.
 * - NoSuchKey / NotFound become NOT_FOUND or undefined; a ranged GET of an empty object answers
 *   416 InvalidRange, which is an empty head.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly partBytes: number
  private readonly queueSize: number

  constructor(private readonly deps: S3ObjectStoreDeps) {
    this.partBytes = Math.max(deps.partBytes ?? 8 * MiB, 5 * MiB)
    this.queueSize = deps.queueSize ?? 4
  }

  async put(key: string, body: Readable | AsyncIterable<Uint8Array>): Promise<{ bytes: number }> {
    let bytes = 0
    let bodyError: unknown
    const counted = (body instanceof Readable ? body : Readable.from(body))
      .on('data', (chunk: Uint8Array) => {
        bytes += chunk.byteLength
      })
      .on('error', (err) => {
        bodyError ??= err
      })
    const upload = new Upload({
      client: this.deps.s3,
      params: { Bucket: this.deps.bucket, Key: key, Body: counted },
      partSize: this.partBytes,
      queueSize: this.queueSize,
      // lib-storage aborts the multipart upload when the body or a part fails, so no parts are kept.
      leavePartsOnError: false,
    })
    try {
      await upload.done()
    } catch (err) {
      // When the abort itself fails, lib-storage throws the abort's error; the body's is the cause.
      throw bodyError ?? err
    }
    return { bytes }
  }

  async putBytes(key: string, data: Uint8Array | string, opts: PutBytesOptions = {}): Promise<{ etag: string }> {
    const condition = writeCondition(opts)
    try {
      const { ETag } = await this.deps.s3.send(
        new PutObjectCommand({
          Bucket: this.deps.bucket,
          Key: key,
          Body: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
          ...(opts.ifNoneMatch ? { IfNoneMatch: opts.ifNoneMatch } : {}),
          ...(opts.ifMatch ? { IfMatch: opts.ifMatch } : {}),
        }),
      )
      if (!ETag) throw new AppError('UNAVAILABLE', 'S3 stored the object but answered no ETag; try again.')
      return { etag: ETag }
    } catch (err) {
      if (condition && CONDITION_FAILED.has(awsErrorName(err) ?? '')) throw new PreconditionFailed(key, condition)
      throw err
    }
  }

  async get(key: string): Promise<Readable> {
    const read = await this.getObject(key)
    if (!read) throw notFound('The object')
    return read.body
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    return (await this.getBytesWithTag(key))?.bytes
  }

  async getBytesWithTag(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    const read = await this.getObject(key)
    if (!read) return undefined
    return { bytes: await bytesOf(read.body), etag: read.etag }
  }

  async readHead(key: string, maxBytes: number): Promise<Uint8Array> {
    if (maxBytes <= 0) {
      if ((await this.size(key)) === undefined) throw notFound('The object')
      return new Uint8Array()
    }
    try {
      const read = await this.getObject(key, `bytes=0-${maxBytes - 1}`)
      if (!read) throw notFound('The object')
      // A server that ignores Range answers the whole object: read no more than asked.
      return await bytesOf(read.body, maxBytes)
    } catch (err) {
      // S3 cannot satisfy any range of an empty object: its head is empty.
      if (awsErrorName(err) === 'InvalidRange') return new Uint8Array()
      throw err
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    if (start === 0) return this.readHead(key, end)
    if (end <= start) {
      if ((await this.size(key)) === undefined) throw notFound('The object')
      return new Uint8Array()
    }
    try {
      const read = await this.getObject(key, `bytes=${start}-${end - 1}`)
      if (!read) throw notFound('The object')
      // A server that ignores Range answers the whole object from byte 0: skip to the range.
      if (!read.ranged) return (await bytesOf(read.body, end)).subarray(start)
      return await bytesOf(read.body, end - start)
    } catch (err) {
      // A range that starts past the end of the object is not satisfiable: nothing is there.
      if (awsErrorName(err) === 'InvalidRange') return new Uint8Array()
      throw err
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const head = await this.deps.s3.send(new HeadObjectCommand({ Bucket: this.deps.bucket, Key: key }))
      return head.ContentLength ?? 0
    } catch (err) {
      if (isMissing(err)) return undefined
      throw err
    }
  }

  async *keys(prefix: string, opts: { startAfter?: string; pageSize?: number } = {}): AsyncIterable<string> {
    let token: string | undefined
    do {
      const page = await this.list({
        Prefix: prefix,
        MaxKeys: Math.min(opts.pageSize ?? S3_PAGE, S3_PAGE),
        ...(token !== undefined ? { ContinuationToken: token } : opts.startAfter !== undefined ? { StartAfter: opts.startAfter } : {}),
      })
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  /**
   * One ListObjectsV2 with Delimiter '/'. Asks one more than `limit`: StartAfter is compared as a
   * key, so when it names a folder S3 may roll that folder's keys up into it again, which is dropped.
   */
  async listPage(prefix: string, page: { limit: number; startAfter?: string }): Promise<ListPage> {
    if (!prefix.endsWith('/')) throw new AppError('BAD_REQUEST', `Only a folder can be listed by page: ${JSON.stringify(prefix)}`)
    const listed = await this.list({
      Prefix: prefix,
      Delimiter: '/',
      MaxKeys: Math.min(page.limit + 1, S3_PAGE),
      ...(page.startAfter !== undefined ? { StartAfter: page.startAfter } : {}),
    })
    const items = [...(listed.Contents ?? []).map((o) => o.Key), ...(listed.CommonPrefixes ?? []).map((p) => p.Prefix)]
      .filter((k): k is string => k !== undefined && (page.startAfter === undefined || k > page.startAfter))
      .sort()
    return { keys: items.slice(0, page.limit), more: items.length > page.limit || listed.IsTruncated === true }
  }

  async sizeUnder(prefix: string): Promise<number> {
    let total = 0
    let token: string | undefined
    do {
      const page = await this.list({ Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) })
      for (const object of page.Contents ?? []) total += object.Size ?? 0
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return total
  }

  async delete(key: string, opts: { ifMatch?: string } = {}): Promise<void> {
    const { ifMatch } = opts
    try {
      await this.deps.s3.send(new DeleteObjectCommand({ Bucket: this.deps.bucket, Key: key, ...(ifMatch !== undefined ? { IfMatch: ifMatch } : {}) }))
    } catch (err) {
      if (ifMatch !== undefined && CONDITION_FAILED.has(awsErrorName(err) ?? '')) throw new PreconditionFailed(key, { ifMatch })
      throw err
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    // Listed whole first: deleting while paging would move the pages under the listing.
    const found: string[] = []
    for await (const key of this.keys(prefix)) found.push(key)
    for (let i = 0; i < found.length; i += S3_PAGE) {
      const answer = await this.deps.s3.send(
        new DeleteObjectsCommand({ Bucket: this.deps.bucket, Delete: { Objects: found.slice(i, i + S3_PAGE).map((Key) => ({ Key })), Quiet: true } }),
      )
      // DeleteObjects answers 200 even when some keys failed; each failure is in Errors.
      const failed = answer.Errors?.[0]
      if (failed) throw new AppError('UNAVAILABLE', `S3 could not delete ${answer.Errors!.length} object(s) under ${prefix} (${failed.Code ?? 'error'}: ${failed.Message ?? ''}); try again.`)
    }
  }

  private list(input: { Prefix: string; Delimiter?: string; MaxKeys?: number; StartAfter?: string; ContinuationToken?: string }): Promise<ListObjectsV2CommandOutput> {
    return this.deps.s3.send(new ListObjectsV2Command({ Bucket: this.deps.bucket, ...input }))
  }

  private async getObject(key: string, range?: string): Promise<{ body: Readable; etag: string; ranged: boolean } | undefined> {
    try {
      const read = await this.deps.s3.send(new GetObjectCommand({ Bucket: this.deps.bucket, Key: key, ...(range ? { Range: range } : {}) }))
      const body = read.Body instanceof Readable ? read.Body : Readable.from(read.Body ? [await read.Body.transformToByteArray()] : [])
      return { body, etag: read.ETag ?? '', ranged: read.ContentRange !== undefined }
    } catch (err) {
      if (isMissing(err)) return undefined
      throw err
    }
  }
}

function isMissing(err: unknown): boolean {
  const name = awsErrorName(err)
  return name === 'NoSuchKey' || name === 'NotFound'
}

/** The stream's bytes, at most `limit` of them (the rest is not read). */
async function bytesOf(body: Readable, limit = Infinity): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
    chunks.push(buf)
    length += buf.byteLength
    if (length >= limit) break
  }
  if (length > limit) body.destroy()
  const all = Buffer.concat(chunks)
  return new Uint8Array(all.buffer, all.byteOffset, Math.min(all.byteLength, limit))
}
