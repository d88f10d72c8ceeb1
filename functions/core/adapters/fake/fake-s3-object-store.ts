import { Readable } from 'node:stream'
import { AppError, notFound } from '../../errors.ts'
import { PreconditionFailed, writeCondition, type ListPage, type ObjectStore, type PutBytesOptions } from '../../ports/object-store.ts'
import type { FakeS3 } from './fake-s3.ts'

/** S3's largest page of a listing, and of a DeleteObjects request. */
const S3_PAGE = 1000

/**
 * The object store over the S3 API, mapped as the aws adapter (next issue) maps the SDK's
 * answers: 412 PreconditionFailed, 409 ConditionalRequestConflict and (for If-Match) 404
 * NoSuchKey become PreconditionFailed; NoSuchKey / NotFound become NOT_FOUND or undefined;
 * 416 InvalidRange of an empty object becomes empty bytes. Run over FakeS3 it is the AWS-like
 * fake of the port: the same contract suite runs against it, the disk store and the aws adapter.
 */
export class FakeS3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: FakeS3,
    /** Bytes a multipart part holds before it is sent (S3's minimum is 5 MiB; smaller in tests). */
    private readonly partBytes: number = 8 * 1024 * 1024,
  ) {}

  /**
   * Buffers one part at a time: a body smaller than a part is one PutObject; a bigger one is a
   * multipart upload, aborted if the body fails, so nothing shows under the key until it completes.
   */
  async put(key: string, body: Readable | AsyncIterable<Uint8Array>): Promise<{ bytes: number }> {
    let pending: Uint8Array[] = []
    let pendingBytes = 0
    let bytes = 0
    let upload: { id: string; parts: { ETag: string; PartNumber: number }[] } | undefined
    const flush = async () => {
      upload ??= { id: (await this.s3.createMultipartUpload({ Key: key })).UploadId, parts: [] }
      const PartNumber = upload.parts.length + 1
      const { ETag } = await this.s3.uploadPart({ Key: key, UploadId: upload.id, PartNumber, Body: Buffer.concat(pending) })
      upload.parts.push({ ETag, PartNumber })
      pending = []
      pendingBytes = 0
    }
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        pending.push(chunk)
        pendingBytes += chunk.byteLength
        bytes += chunk.byteLength
        if (pendingBytes >= this.partBytes) await flush()
      }
      if (!upload) {
        await this.s3.putObject({ Key: key, Body: Buffer.concat(pending) })
        return { bytes }
      }
      if (pendingBytes > 0) await flush()
      await this.s3.completeMultipartUpload({ Key: key, UploadId: upload.id, MultipartUpload: { Parts: upload.parts } })
      return { bytes }
    } catch (err) {
      if (upload) await this.s3.abortMultipartUpload({ Key: key, UploadId: upload.id }).catch(() => undefined)
      throw err
    }
  }

  async putBytes(key: string, data: Uint8Array | string, opts: PutBytesOptions = {}): Promise<{ etag: string }> {
    const condition = writeCondition(opts)
    try {
      const { ETag } = await this.s3.putObject({
        Key: key,
        Body: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
        ...(opts.ifNoneMatch ? { IfNoneMatch: opts.ifNoneMatch } : {}),
        ...(opts.ifMatch ? { IfMatch: opts.ifMatch } : {}),
      })
      return { etag: ETag }
    } catch (err) {
      if (condition && (errorName(err) === 'PreconditionFailed' || errorName(err) === 'ConditionalRequestConflict' || errorName(err) === 'NoSuchKey')) {
        throw new PreconditionFailed(key, condition)
      }
      throw err
    }
  }

  async get(key: string): Promise<Readable> {
    const { Body } = await this.s3.getObject({ Key: key }).catch(missingAs(() => Promise.reject(notFound('The object'))))
    return Readable.from([Buffer.from(Body)])
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    return (await this.getBytesWithTag(key))?.bytes
  }

  async getBytesWithTag(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    const read = await this.s3.getObject({ Key: key }).catch(missingAs(() => undefined))
    return read && { bytes: read.Body, etag: read.ETag }
  }

  async readHead(key: string, maxBytes: number): Promise<Uint8Array> {
    if (maxBytes <= 0) {
      if ((await this.size(key)) === undefined) throw notFound('The object')
      return new Uint8Array()
    }
    try {
      return (await this.s3.getObject({ Key: key, Range: `bytes=0-${maxBytes - 1}` })).Body
    } catch (err) {
      // S3 cannot satisfy any range of an empty object: its head is empty.
      if (errorName(err) === 'InvalidRange') return new Uint8Array()
      if (isMissing(err)) throw notFound('The object')
      throw err
    }
  }

  async size(key: string): Promise<number | undefined> {
    const head = await this.s3.headObject({ Key: key }).catch(missingAs(() => undefined))
    return head?.ContentLength
  }

  async *keys(prefix: string, opts: { startAfter?: string; pageSize?: number } = {}): AsyncIterable<string> {
    let token: string | undefined
    do {
      const page = await this.s3.listObjectsV2({
        Prefix: prefix,
        MaxKeys: Math.min(opts.pageSize ?? S3_PAGE, S3_PAGE),
        ...(token !== undefined ? { ContinuationToken: token } : opts.startAfter !== undefined ? { StartAfter: opts.startAfter } : {}),
      })
      for (const object of page.Contents ?? []) yield object.Key
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token !== undefined)
  }

  /**
   * One ListObjectsV2 with Delimiter '/'. Asks one more than `limit`: StartAfter is compared as a
   * key, so when it names a folder S3 may roll that folder's keys up into it again, which is dropped.
   */
  async listPage(prefix: string, page: { limit: number; startAfter?: string }): Promise<ListPage> {
    if (!prefix.endsWith('/')) throw new AppError('BAD_REQUEST', `Only a folder can be listed by page: ${JSON.stringify(prefix)}`)
    const listed = await this.s3.listObjectsV2({
      Prefix: prefix,
      Delimiter: '/',
      MaxKeys: Math.min(page.limit + 1, S3_PAGE),
      ...(page.startAfter !== undefined ? { StartAfter: page.startAfter } : {}),
    })
    const items = [...(listed.Contents ?? []).map((o) => o.Key), ...(listed.CommonPrefixes ?? []).map((p) => p.Prefix)]
      .filter((k) => page.startAfter === undefined || k > page.startAfter)
      .sort()
    return { keys: items.slice(0, page.limit), more: items.length > page.limit || listed.IsTruncated }
  }

  async sizeUnder(prefix: string): Promise<number> {
    let total = 0
    let token: string | undefined
    do {
      const page = await this.s3.listObjectsV2({ Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) })
      for (const object of page.Contents ?? []) total += object.Size
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return total
  }

  async delete(key: string, opts: { ifMatch?: string } = {}): Promise<void> {
    const { ifMatch } = opts
    try {
      await this.s3.deleteObject({ Key: key, ...(ifMatch !== undefined ? { IfMatch: ifMatch } : {}) })
    } catch (err) {
      if (ifMatch !== undefined && ['PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey'].includes(errorName(err) ?? '')) {
        throw new PreconditionFailed(key, { ifMatch })
      }
      throw err
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    // Listed whole first: deleting while paging would move the pages under the listing.
    const found: string[] = []
    for await (const key of this.keys(prefix)) found.push(key)
    for (let i = 0; i < found.length; i += S3_PAGE) {
      await this.s3.deleteObjects({ Delete: { Objects: found.slice(i, i + S3_PAGE).map((Key) => ({ Key })) } })
    }
  }
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined
}

function isMissing(err: unknown): boolean {
  return errorName(err) === 'NoSuchKey' || errorName(err) === 'NotFound'
}

function missingAs<T>(answer: () => T): (err: unknown) => T {
  return (err) => {
    if (isMissing(err)) return answer()
    throw err
  }
}
