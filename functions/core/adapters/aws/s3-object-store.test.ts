import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PreconditionFailed, collectKeys } from '../../ports/object-store.ts'
import { startS3rver, type RunningS3rver } from '../../../testing/s3rver.ts'
import { S3ObjectStore } from './s3-object-store.ts'

const MiB = 1024 * 1024

/** `size` bytes in 1 MiB chunks, made as they are read (never held whole). */
async function* bytes(size: number, failAfter?: number): AsyncIterable<Uint8Array> {
  for (let sent = 0; sent < size; sent += MiB) {
    if (failAfter !== undefined && sent >= failAfter) throw new Error('connection reset')
    yield Buffer.alloc(Math.min(MiB, size - sent), sent / MiB)
  }
}

const md5 = async (chunks: AsyncIterable<Uint8Array>) => {
  const hash = createHash('md5')
  for await (const chunk of chunks) hash.update(chunk)
  return hash.digest('hex')
}

/** An S3 error as the SDK throws it (name = the error code), for the canned answers below. */
const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name })

describe('S3ObjectStore on s3rver over HTTP', () => {
  let s3rver: RunningS3rver
  beforeAll(async () => {
    s3rver = await startS3rver('s3-store-test')
  })
  afterAll(async () => {
    await s3rver.close()
  })

  it('streams a body bigger than a part as a multipart upload and reads it back byte for byte', async () => {
    const store = new S3ObjectStore({ s3: s3rver.client, bucket: s3rver.bucket, partBytes: 5 * MiB, queueSize: 2 })
    const { bytes: written } = await store.put('raw/t/big/data', bytes(13 * MiB))
    expect(written).toBe(13 * MiB)
    expect(await store.size('raw/t/big/data')).toBe(13 * MiB)
    expect(await md5(await store.get('raw/t/big/data'))).toBe(await md5(bytes(13 * MiB)))
    // The head is a ranged GET: only what was asked comes back.
    expect((await store.readHead('raw/t/big/data', 10)).byteLength).toBe(10)
  })

  it('leaves no object when the body fails after several parts were sent', async () => {
    const store = new S3ObjectStore({ s3: s3rver.client, bucket: s3rver.bucket, partBytes: 5 * MiB, queueSize: 2 })
    await expect(store.put('raw/t/broken/data', bytes(20 * MiB, 12 * MiB))).rejects.toThrow('connection reset')
    expect(await store.size('raw/t/broken/data')).toBeUndefined()
    expect(await collectKeys(store.keys('raw/t/broken/'))).toEqual([])
  })

  it('answers PreconditionFailed to a create-only write of a key another writer created', async () => {
    const a = new S3ObjectStore({ s3: s3rver.client, bucket: s3rver.bucket })
    const b = new S3ObjectStore({ s3: s3rver.client, bucket: s3rver.bucket })
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).putBytes('jobs/t/race.json', `${i}`, { ifNoneMatch: '*' })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof PreconditionFailed)).toHaveLength(7)
  })
})

describe('S3ObjectStore calls (SDK client with canned answers written from the S3 API reference)', () => {
  const client = () => {
    const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })
    return { s3, mock: mockClient(s3) }
  }

  it('aborts the multipart upload, by its id, when the body fails', async () => {
    const { s3, mock } = client()
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1', Bucket: 'b', Key: 'raw/t/f/data' })
    mock.on(UploadPartCommand).resolves({ ETag: '"part"' })
    mock.on(AbortMultipartUploadCommand).resolves({})
    const store = new S3ObjectStore({ s3, bucket: 'b', partBytes: 5 * MiB, queueSize: 1 })
    await expect(store.put('raw/t/f/data', bytes(20 * MiB, 11 * MiB))).rejects.toThrow('connection reset')
    const aborts = mock.commandCalls(AbortMultipartUploadCommand)
    expect(aborts.length).toBeGreaterThanOrEqual(1)
    expect(aborts[0]!.args[0].input).toMatchObject({ Bucket: 'b', Key: 'raw/t/f/data', UploadId: 'upload-1' })
    expect(mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0)
  })

  it('holds at most a few parts in memory however fast the body arrives', async () => {
    const { s3, mock } = client()
    let produced = 0
    let uploaded = 0
    let mostAhead = 0
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' })
    mock.on(UploadPartCommand).callsFake(async (input: { Body?: Uint8Array | Readable }) => {
      await new Promise((r) => setTimeout(r, 20))
      const body = input.Body
      uploaded += body instanceof Uint8Array ? body.byteLength : 0
      return { ETag: '"part"' }
    })
    mock.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole"' })
    async function* counted() {
      for await (const chunk of bytes(60 * MiB)) {
        produced += chunk.byteLength
        mostAhead = Math.max(mostAhead, produced - uploaded)
        yield chunk
      }
    }
    const store = new S3ObjectStore({ s3, bucket: 'b', partBytes: 5 * MiB, queueSize: 2 })
    expect(await store.put('raw/t/f/data', counted())).toEqual({ bytes: 60 * MiB })
    expect(uploaded).toBe(60 * MiB)
    // Parts in flight (queueSize) plus the one being filled, and a chunk of slack.
    expect(mostAhead).toBeLessThanOrEqual(4 * 5 * MiB)
  })

  it('turns 412 PreconditionFailed, 409 ConditionalRequestConflict and 404 for If-Match into PreconditionFailed', async () => {
    const { s3, mock } = client()
    const store = new S3ObjectStore({ s3, bucket: 'b' })
    mock.on(PutObjectCommand).rejectsOnce(s3Error('PreconditionFailed', 412)).rejectsOnce(s3Error('ConditionalRequestConflict', 409)).rejectsOnce(s3Error('NoSuchKey', 404))
    await expect(store.putBytes('k', 'x', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailed)
    await expect(store.putBytes('k', 'x', { ifMatch: '"e"' })).rejects.toBeInstanceOf(PreconditionFailed)
    await expect(store.putBytes('k', 'x', { ifMatch: '"e"' })).rejects.toBeInstanceOf(PreconditionFailed)
    expect(mock.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.IfNoneMatch, c.args[0].input.IfMatch])).toEqual([
      ['*', undefined],
      [undefined, '"e"'],
      [undefined, '"e"'],
    ])
  })

  it('answers an empty head when S3 answers 416 InvalidRange for an empty object', async () => {
    const { s3, mock } = client()
    mock.on(GetObjectCommand).rejects(s3Error('InvalidRange', 416))
    expect(await new S3ObjectStore({ s3, bucket: 'b' }).readHead('raw/t/empty/data', 100)).toEqual(new Uint8Array())
    expect(mock.commandCalls(GetObjectCommand)[0]!.args[0].input.Range).toBe('bytes=0-99')
  })

  it('deletes a prefix 1000 keys a request and reports keys DeleteObjects could not delete', async () => {
    const { s3, mock } = client()
    const keys = Array.from({ length: 2500 }, (_, i) => `lake/t/x/${String(i).padStart(5, '0')}`)
    mock
      .on(ListObjectsV2Command)
      .callsFake(async (input: { ContinuationToken?: string }) => {
        const from = Number(input.ContinuationToken ?? 0)
        const page = keys.slice(from, from + 1000)
        const next = from + 1000
        return { Contents: page.map((Key) => ({ Key, Size: 1 })), IsTruncated: next < keys.length, ...(next < keys.length ? { NextContinuationToken: String(next) } : {}) }
      })
    mock.on(DeleteObjectsCommand).resolvesOnce({}).resolvesOnce({}).resolvesOnce({ Errors: [{ Key: keys[2400], Code: 'AccessDenied', Message: 'Access Denied' }] })
    await expect(new S3ObjectStore({ s3, bucket: 'b' }).deletePrefix('lake/t/x/')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('AccessDenied') })
    expect(mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects?.length)).toEqual([1000, 1000, 500])
  })
})
