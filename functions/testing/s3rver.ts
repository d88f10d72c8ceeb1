import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'

const require = createRequire(import.meta.url)
type S3ErrorClass = new (code: string, message: string, detail?: Record<string, string>) => Error
const S3Error: S3ErrorClass = require('s3rver/lib/models/error.js')

/** s3rver's credentials (any client signing with them is accepted). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export type RunningS3rver = {
  /** http://127.0.0.1:port, for AWS_ENDPOINT_URL_S3. */
  endpoint: string
  bucket: string
  /** An SDK client for it, configured as an S3-compatible endpoint needs (path style, checksums only when required). */
  client: S3Client
  /** The folder s3rver keeps its objects in. */
  directory: string
  close(): Promise<void>
}

type KoaContext = {
  method: string
  path: string
  query: Record<string, string | string[] | undefined>
  get(header: string): string
  store: {
    getMetadata(bucket: string, key: string): Promise<{ etag?: string; 'content-length'?: string }>
    getBucket(bucket: string): Promise<unknown>
    listObjects(bucket: string, options: { prefix: string; maxKeys: number }): Promise<{ objects: StoredObject[] }>
  }
  body: unknown
  status: number
}
type StoredObject = { key: string; size: number; lastModifiedDate: Date; metadata: { etag?: string } }
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>

/**
 * s3rver (a real S3-compatible HTTP server, objects on disk), started on a free loopback port with
 * one bucket, plus a layer for what S3 does and s3rver does not:
 * - conditional writes: PutObject and DeleteObject with If-None-Match: * / If-Match: etag answer
 *   412 PreconditionFailed when the condition does not hold, and 404 NoSuchKey for If-Match on a
 *   missing key, as the S3 API reference says (s3rver ignores both headers);
 * - atomic replacement: s3rver writes an object's file in place, so a reader could see half of a
 *   new version; requests to one key take turns here, as S3 shows a new version only whole;
 * - ListObjectsV2 as the reference has it: keys in UTF-8 binary order (s3rver walks folders, so
 *   `a/sub-2/x` came after `a/sub/y`), and continuation tokens (s3rver's are DES-encrypted, a
 *   cipher OpenSSL 3 no longer offers, so every truncated listing failed with InternalError);
 * - a ranged GET of an empty object answers 416 InvalidRange, as S3 does (s3rver's read failed).
 * Everything else (signatures, XML, listing, multipart, ranges) is s3rver's own.
 */
export async function startS3rver(bucket = 'csvlake-test', port = 0): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'))
  const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] })
  const app = server as unknown as { middleware: Middleware[] }
  // Just before the router (the last middleware), after s3rver's logging and XML rendering.
  app.middleware.splice(app.middleware.length - 1, 0, listObjectsV2(), keyTurns(), conditionalWrites(), emptyRanges())
  const address = (await server.run()) as AddressInfo
  const endpoint = `http://127.0.0.1:${address.port}`
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  return {
    endpoint,
    bucket,
    client,
    directory,
    async close() {
      client.destroy()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

/** `/bucket/key...` of a path-style object request, or undefined for a bucket or service request. */
function objectOf(path: string): { bucket: string; key: string } | undefined {
  const match = /^\/([^/]+)\/(.+)$/.exec(path)
  return match ? { bucket: decodeURIComponent(match[1]!), key: decodeURIComponent(match[2]!) } : undefined
}

function keyTurns(): Middleware {
  const turns = new Map<string, Promise<void>>()
  return async (ctx, next) => {
    const object = objectOf(ctx.path)
    if (!object) return next()
    const id = `${object.bucket}/${object.key}`
    const before = turns.get(id) ?? Promise.resolve()
    let done!: () => void
    const mine = new Promise<void>((resolve) => (done = resolve))
    const chained = before.then(() => mine)
    turns.set(id, chained)
    await before
    try {
      await next()
    } finally {
      done()
      if (turns.get(id) === chained) turns.delete(id)
    }
  }
}

function conditionalWrites(): Middleware {
  return async (ctx, next) => {
    const object = objectOf(ctx.path)
    const ifNoneMatch = ctx.get('if-none-match')
    const ifMatch = ctx.get('if-match')
    const isWrite = (ctx.method === 'PUT' && ctx.query.partNumber === undefined) || ctx.method === 'DELETE'
    if (!object || !isWrite || (!ifNoneMatch && !ifMatch)) return next()
    const etag = await ctx.store.getMetadata(object.bucket, object.key).then(
      (metadata) => metadata.etag,
      () => undefined,
    )
    if (ifNoneMatch === '*' && etag !== undefined) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' })
    }
    if (ifMatch) {
      if (etag === undefined) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: object.key })
      if (unquoted(ifMatch) !== unquoted(etag)) {
        throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' })
      }
    }
    return next()
  }
}

function emptyRanges(): Middleware {
  return async (ctx, next) => {
    const object = objectOf(ctx.path)
    if (!object || ctx.method !== 'GET' || !ctx.get('range')) return next()
    const metadata = await ctx.store.getMetadata(object.bucket, object.key).catch(() => undefined)
    if (metadata && Number(metadata['content-length']) === 0) {
      throw new S3Error('InvalidRange', 'The requested range is not satisfiable', { RangeRequested: ctx.get('range'), ActualObjectSize: '0' })
    }
    return next()
  }
}

/** ListObjectsV2 (GET /bucket?list-type=2), from every key s3rver has under the prefix. */
function listObjectsV2(): Middleware {
  return async (ctx, next) => {
    const bucketOnly = /^\/([^/]+)\/?$/.exec(ctx.path)
    if (ctx.method !== 'GET' || !bucketOnly || ctx.query['list-type'] !== '2') return next()
    const bucket = decodeURIComponent(bucketOnly[1]!)
    if (!(await ctx.store.getBucket(bucket))) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket })
    const one = (name: string) => {
      const value = ctx.query[name]
      return Array.isArray(value) ? value[0] : value
    }
    const prefix = one('prefix') ?? ''
    const delimiter = one('delimiter') ?? ''
    const maxKeys = Math.min(Number(one('max-keys') ?? 1000), 1000)
    const token = one('continuation-token')
    const startAfter = token !== undefined ? Buffer.from(token, 'base64url').toString('utf8') : (one('start-after') ?? '')
    const { objects } = await ctx.store.listObjects(bucket, { prefix, maxKeys: Infinity })
    const byKey = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))
    const sorted = objects.filter((o) => o.key.startsWith(prefix)).sort((a, b) => byKey(a.key, b.key))
    const entries: ({ object: StoredObject } | { commonPrefix: string })[] = []
    const after = (name: string) => byKey(name, startAfter) > 0
    for (const object of sorted) {
      const cut = delimiter ? object.key.slice(prefix.length).indexOf(delimiter) : -1
      if (cut < 0) {
        if (after(object.key)) entries.push({ object })
        continue
      }
      const commonPrefix = object.key.slice(0, prefix.length + cut + delimiter.length)
      const last = entries.at(-1)
      if (after(commonPrefix) && !(last && 'commonPrefix' in last && last.commonPrefix === commonPrefix)) entries.push({ commonPrefix })
    }
    const page = entries.slice(0, maxKeys)
    const truncated = entries.length > page.length
    const lastEntry = page.at(-1)
    const lastName = lastEntry && ('object' in lastEntry ? lastEntry.object.key : lastEntry.commonPrefix)
    ctx.status = 200
    ctx.body = {
      ListBucketResult: {
        '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
        Name: bucket,
        Prefix: prefix,
        StartAfter: token === undefined ? one('start-after') : undefined,
        ContinuationToken: token,
        NextContinuationToken: truncated && lastName !== undefined ? Buffer.from(lastName).toString('base64url') : undefined,
        KeyCount: page.length,
        MaxKeys: maxKeys,
        Delimiter: delimiter || undefined,
        IsTruncated: truncated,
        Contents: page.flatMap((e) =>
          'object' in e
            ? [{ Key: e.object.key, LastModified: e.object.lastModifiedDate.toISOString(), ETag: e.object.metadata.etag, Size: e.object.size, StorageClass: 'STANDARD' }]
            : [],
        ),
        CommonPrefixes: page.flatMap((e) => ('commonPrefix' in e ? [{ Prefix: e.commonPrefix }] : [])),
      },
    }
  }
}

const unquoted = (etag: string) => etag.replaceAll('"', '')
