import { createHash, randomUUID } from 'node:crypto'

/*
 * An in-memory model of the S3 API calls csvlake's object store makes, answering with S3's
 * request and response shapes and errors (names and HTTP statuses as the AWS SDK for JavaScript
 * v3 throws them: `err.name` is the error code, `err.$metadata.httpStatusCode` the status).
 * Written from the Amazon S3 API reference (PutObject, GetObject, HeadObject, ListObjectsV2,
 * DeleteObject, DeleteObjects, CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload), not recorded from the service.
 */

export class FakeS3Error extends Error {
  readonly $fault: 'client' | 'server'
  readonly $metadata: { httpStatusCode: number }
  constructor(name: string, status: number, message: string) {
    super(message)
    this.name = name
    this.$fault = status >= 500 ? 'server' : 'client'
    this.$metadata = { httpStatusCode: status }
  }
}

type StoredObject = { body: Uint8Array; etag: string; lastModified: Date; listedFrom: number }
type Upload = { key: string; parts: Map<number, { body: Uint8Array; etag: string }>; ifNoneMatch?: '*' }

/** S3 refuses parts smaller than 5 MiB except the last (EntityTooSmall at completion). */
export const MIN_PART_BYTES = 5 * 1024 * 1024

export type FakeS3Options = {
  /**
   * A new key shows in listings only this long after it was written (0: at once, as S3 has
   * listed since December 2020; more: as some S3-compatible stores list, eventually).
   */
  listingLagMs?: number
  /** The smallest part CompleteMultipartUpload accepts (S3: 5 MiB); smaller in tests. */
  minPartBytes?: number
  now?: () => number
}

export class FakeS3 {
  private readonly objects = new Map<string, StoredObject>()
  private readonly uploads = new Map<string, Upload>()
  /** Calls answered, by operation: tests check how much a listing or a read costs. */
  readonly calls: Record<string, number> = {}
  /** Errors to throw on the next calls of an operation (e.g. a 409 ConditionalRequestConflict, a 503 SlowDown). */
  private readonly faults = new Map<string, FakeS3Error[]>()
  listingLagMs: number
  private readonly minPartBytes: number
  private readonly now: () => number

  constructor(opts: FakeS3Options = {}) {
    this.listingLagMs = opts.listingLagMs ?? 0
    this.minPartBytes = opts.minPartBytes ?? MIN_PART_BYTES
    this.now = opts.now ?? Date.now
  }

  /** The next call of `operation` throws this S3 error instead of answering. */
  failNext(operation: string, name: string, status: number): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), new FakeS3Error(name, status, `${name} (injected)`)])
  }

  /** Keys of multipart uploads begun and neither completed nor aborted (what a lifecycle rule would clean). */
  pendingUploads(): string[] {
    return [...this.uploads.values()].map((u) => u.key)
  }

  async putObject(input: { Key: string; Body: Uint8Array; IfMatch?: string; IfNoneMatch?: string }): Promise<{ ETag: string }> {
    await this.call('PutObject')
    this.checkConditions(input.Key, input)
    const etag = quotedMd5(input.Body)
    this.store(input.Key, input.Body, etag)
    return { ETag: etag }
  }

  async getObject(input: { Key: string; Range?: string }): Promise<{ Body: Uint8Array; ETag: string; ContentLength: number; ContentRange?: string }> {
    await this.call('GetObject')
    const object = this.objects.get(input.Key)
    if (!object) throw new FakeS3Error('NoSuchKey', 404, 'The specified key does not exist.')
    if (input.Range === undefined) return { Body: object.body.slice(), ETag: object.etag, ContentLength: object.body.byteLength }
    const match = /^bytes=(\d+)-(\d*)$/.exec(input.Range)
    if (!match) return { Body: object.body.slice(), ETag: object.etag, ContentLength: object.body.byteLength }
    const first = Number(match[1])
    // A range that starts at or past the end (every range of an empty object) is not satisfiable.
    if (first >= object.body.byteLength) throw new FakeS3Error('InvalidRange', 416, 'The requested range is not satisfiable')
    const last = Math.min(match[2] === '' ? Infinity : Number(match[2]), object.body.byteLength - 1)
    const body = object.body.slice(first, last + 1)
    return { Body: body, ETag: object.etag, ContentLength: body.byteLength, ContentRange: `bytes ${first}-${last}/${object.body.byteLength}` }
  }

  async headObject(input: { Key: string }): Promise<{ ContentLength: number; ETag: string; LastModified: Date }> {
    await this.call('HeadObject')
    const object = this.objects.get(input.Key)
    // A HEAD answer has no body, so the SDK names the error by its status only.
    if (!object) throw new FakeS3Error('NotFound', 404, 'Not Found')
    return { ContentLength: object.body.byteLength, ETag: object.etag, LastModified: object.lastModified }
  }

  /** With If-Match: 404 NoSuchKey when there is no object, 412 when its ETag differs (S3's conditional delete). */
  async deleteObject(input: { Key: string; IfMatch?: string }): Promise<Record<string, never>> {
    await this.call('DeleteObject')
    if (input.IfMatch !== undefined) {
      const current = this.objects.get(input.Key)
      if (!current) throw new FakeS3Error('NoSuchKey', 404, 'The specified key does not exist.')
      if (input.IfMatch !== '*' && current.etag !== input.IfMatch) {
        throw new FakeS3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold')
      }
    }
    this.objects.delete(input.Key)
    return {}
  }

  async deleteObjects(input: { Delete: { Objects: { Key: string }[] } }): Promise<{ Deleted: { Key: string }[] }> {
    await this.call('DeleteObjects')
    if (input.Delete.Objects.length > 1000) throw new FakeS3Error('MalformedXML', 400, 'At most 1000 keys a request')
    for (const { Key } of input.Delete.Objects) this.objects.delete(Key)
    return { Deleted: input.Delete.Objects.map(({ Key }) => ({ Key })) }
  }

  /**
   * ListObjectsV2: keys in UTF-8 binary order after StartAfter (or after where the continuation
   * token left off), at most MaxKeys (default and cap 1000) of Contents and CommonPrefixes
   * together; with a Delimiter, the keys that share a folder after the prefix roll up into one
   * CommonPrefix. StartAfter is compared as a key, so a StartAfter equal to a folder's prefix
   * lists that folder again (its keys sort after it).
   */
  async listObjectsV2(input: { Prefix?: string; Delimiter?: string; MaxKeys?: number; StartAfter?: string; ContinuationToken?: string }): Promise<{
    Contents?: { Key: string; Size: number; ETag: string }[]
    CommonPrefixes?: { Prefix: string }[]
    IsTruncated: boolean
    NextContinuationToken?: string
    KeyCount: number
  }> {
    await this.call('ListObjectsV2')
    const prefix = input.Prefix ?? ''
    const maxKeys = Math.min(input.MaxKeys ?? 1000, 1000)
    const from = input.ContinuationToken !== undefined ? fromToken(input.ContinuationToken) : { after: input.StartAfter ?? '' }
    const now = this.now()
    const keys = [...this.objects.entries()]
      .filter(([key, o]) => key.startsWith(prefix) && o.listedFrom <= now)
      .map(([key]) => key)
      .sort(compareUtf8)
    const contents: { Key: string; Size: number; ETag: string }[] = []
    const prefixes: string[] = []
    let last: { after: string; skip?: string } | undefined
    let skip = from.skip
    let truncated = false
    for (const key of keys) {
      if (compareUtf8(key, from.after) <= 0) continue
      // The keys of a common prefix already returned are done.
      if (skip !== undefined && key.startsWith(skip)) continue
      const cut = input.Delimiter ? key.indexOf(input.Delimiter, prefix.length) : -1
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true
        break
      }
      if (cut >= 0) {
        const common = key.slice(0, cut + input.Delimiter!.length)
        prefixes.push(common)
        skip = common
        last = { after: key, skip: common }
      } else {
        const object = this.objects.get(key)!
        contents.push({ Key: key, Size: object.body.byteLength, ETag: object.etag })
        last = { after: key }
      }
    }
    return {
      ...(contents.length ? { Contents: contents } : {}),
      ...(prefixes.length ? { CommonPrefixes: prefixes.map((p) => ({ Prefix: p })) } : {}),
      IsTruncated: truncated,
      ...(truncated && last ? { NextContinuationToken: toToken(last) } : {}),
      KeyCount: contents.length + prefixes.length,
    }
  }

  async createMultipartUpload(input: { Key: string }): Promise<{ UploadId: string }> {
    await this.call('CreateMultipartUpload')
    const id = randomUUID()
    this.uploads.set(id, { key: input.Key, parts: new Map() })
    return { UploadId: id }
  }

  async uploadPart(input: { Key: string; UploadId: string; PartNumber: number; Body: Uint8Array }): Promise<{ ETag: string }> {
    await this.call('UploadPart')
    const upload = this.upload(input.Key, input.UploadId)
    const etag = quotedMd5(input.Body)
    upload.parts.set(input.PartNumber, { body: input.Body.slice(), etag })
    return { ETag: etag }
  }

  /** Nothing is visible under the key until this answers; the object's ETag is S3's multipart form (md5 of the parts' md5s, "-N"). */
  async completeMultipartUpload(input: {
    Key: string
    UploadId: string
    MultipartUpload: { Parts: { ETag: string; PartNumber: number }[] }
    IfNoneMatch?: string
    IfMatch?: string
  }): Promise<{ ETag: string }> {
    await this.call('CompleteMultipartUpload')
    const upload = this.upload(input.Key, input.UploadId)
    const listed = input.MultipartUpload.Parts
    if (listed.length === 0) throw new FakeS3Error('MalformedXML', 400, 'No parts')
    const bodies: Uint8Array[] = []
    const md5s: Buffer[] = []
    listed.forEach((p, i) => {
      const part = upload.parts.get(p.PartNumber)
      if (!part || part.etag !== p.ETag) throw new FakeS3Error('InvalidPart', 400, `Part ${p.PartNumber} was not uploaded`)
      if (i > 0 && listed[i - 1]!.PartNumber >= p.PartNumber) throw new FakeS3Error('InvalidPartOrder', 400, 'Parts must be in ascending order')
      if (i < listed.length - 1 && part.body.byteLength < this.minPartBytes) throw new FakeS3Error('EntityTooSmall', 400, 'A part is smaller than the minimum')
      bodies.push(part.body)
      md5s.push(Buffer.from(part.etag.slice(1, -1), 'hex'))
    })
    this.checkConditions(input.Key, input)
    const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${listed.length}"`
    this.store(input.Key, Buffer.concat(bodies), etag)
    this.uploads.delete(input.UploadId)
    return { ETag: etag }
  }

  async abortMultipartUpload(input: { Key: string; UploadId: string }): Promise<Record<string, never>> {
    await this.call('AbortMultipartUpload')
    this.upload(input.Key, input.UploadId)
    this.uploads.delete(input.UploadId)
    return {}
  }

  private upload(key: string, id: string): Upload {
    const upload = this.uploads.get(id)
    if (!upload || upload.key !== key) throw new FakeS3Error('NoSuchUpload', 404, 'The specified upload does not exist.')
    return upload
  }

  /** If-None-Match '*': 412 when the key exists. If-Match: 412 when the ETag differs, 404 NoSuchKey when there is no object. */
  private checkConditions(key: string, input: { IfMatch?: string; IfNoneMatch?: string }): void {
    const current = this.objects.get(key)
    if (input.IfNoneMatch !== undefined) {
      if (input.IfNoneMatch !== '*') throw new FakeS3Error('NotImplemented', 501, 'If-None-Match takes only *')
      if (current) throw new FakeS3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold')
    }
    if (input.IfMatch !== undefined) {
      if (!current) throw new FakeS3Error('NoSuchKey', 404, 'The specified key does not exist.')
      if (current.etag !== input.IfMatch) throw new FakeS3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold')
    }
  }

  private store(key: string, body: Uint8Array, etag: string): void {
    const at = this.now()
    const before = this.objects.get(key)
    // An overwrite keeps its place in listings; only a new key may be missing from them for a while.
    this.objects.set(key, { body: body.slice(), etag, lastModified: new Date(at), listedFrom: before ? before.listedFrom : at + this.listingLagMs })
  }

  /** Every call goes through the event loop, as a request does, so concurrent callers interleave. */
  private async call(operation: string): Promise<void> {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1
    await new Promise((r) => setImmediate(r))
    const fault = this.faults.get(operation)?.shift()
    if (fault) throw fault
  }
}

function quotedMd5(body: Uint8Array): string {
  return `"${createHash('md5').update(body).digest('hex')}"`
}

/** S3 orders keys by their UTF-8 bytes (JavaScript's < compares UTF-16 units, which differs past U+FFFF). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** Opaque to callers, as S3's are: where the listing left off. */
function toToken(at: { after: string; skip?: string }): string {
  return Buffer.from(JSON.stringify({ v: 1, ...at }), 'utf8').toString('base64url')
}

function fromToken(token: string): { after: string; skip?: string } {
  try {
    const at = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v: number; after: string; skip?: string }
    if (at.v === 1 && typeof at.after === 'string') return { after: at.after, ...(typeof at.skip === 'string' ? { skip: at.skip } : {}) }
  } catch {
    // answered below
  }
  throw new FakeS3Error('InvalidArgument', 400, 'The continuation token provided is incorrect')
}
