import { describe, expect, it } from 'vitest'
import { collectKeys, PreconditionFailed } from '../../ports/object-store.ts'
import { FakeS3, FakeS3Error } from './fake-s3.ts'
import { fakeS3ObjectStore } from './fake-s3-object-store.ts'

// The S3 answers these tests rely on are written from the Amazon S3 API reference, not recorded.

describe('FakeS3 (S3 API shapes, written from the API reference, not recorded)', () => {
  it('pages ListObjectsV2 by MaxKeys and an opaque continuation token, in key order', async () => {
    const s3 = new FakeS3()
    for (const key of ['b', 'a', 'c/1', 'c/2', 'd']) await s3.putObject({ Key: `jobs/t/${key}`, Body: Buffer.from(key) })
    const first = await s3.listObjectsV2({ Prefix: 'jobs/t/', MaxKeys: 2 })
    expect(first).toMatchObject({ Contents: [{ Key: 'jobs/t/a', Size: 1 }, { Key: 'jobs/t/b', Size: 1 }], IsTruncated: true, KeyCount: 2 })
    const second = await s3.listObjectsV2({ Prefix: 'jobs/t/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken! })
    expect(second.Contents?.map((o) => o.Key)).toEqual(['jobs/t/c/1', 'jobs/t/c/2'])
    const folders = await s3.listObjectsV2({ Prefix: 'jobs/t/', Delimiter: '/', MaxKeys: 3 })
    expect(folders).toMatchObject({ Contents: [{ Key: 'jobs/t/a' }, { Key: 'jobs/t/b' }], CommonPrefixes: [{ Prefix: 'jobs/t/c/' }], IsTruncated: true })
    const rest = await s3.listObjectsV2({ Prefix: 'jobs/t/', Delimiter: '/', MaxKeys: 3, ContinuationToken: folders.NextContinuationToken! })
    expect(rest).toMatchObject({ Contents: [{ Key: 'jobs/t/d' }], IsTruncated: false, KeyCount: 1 })
    expect(rest.CommonPrefixes).toBeUndefined()
  })

  it('answers 416 InvalidRange to a ranged GET of an empty object, and 404 NoSuchKey / NotFound to a missing one', async () => {
    const s3 = new FakeS3()
    await s3.putObject({ Key: 'usage/.clean', Body: new Uint8Array() })
    await expect(s3.getObject({ Key: 'usage/.clean', Range: 'bytes=0-99' })).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } })
    await expect(s3.getObject({ Key: 'nope' })).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })
    await expect(s3.headObject({ Key: 'nope' })).rejects.toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } })
  })

  it('answers 412 to If-None-Match on an existing key, 412 to a stale If-Match and 404 to If-Match on a missing key', async () => {
    const s3 = new FakeS3()
    const { ETag } = await s3.putObject({ Key: 'k', Body: Buffer.from('1') })
    expect(ETag).toMatch(/^"[0-9a-f]{32}"$/)
    await expect(s3.putObject({ Key: 'k', Body: Buffer.from('2'), IfNoneMatch: '*' })).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })
    await s3.putObject({ Key: 'k', Body: Buffer.from('3') })
    await expect(s3.putObject({ Key: 'k', Body: Buffer.from('4'), IfMatch: ETag })).rejects.toMatchObject({ name: 'PreconditionFailed' })
    await expect(s3.putObject({ Key: 'gone', Body: Buffer.from('4'), IfMatch: ETag })).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })
  })

  it('shows a new key in listings only after the listing lag, when listing is eventual', async () => {
    let now = 1_000
    const s3 = new FakeS3({ listingLagMs: 500, now: () => now })
    const store = fakeS3ObjectStore(s3)
    await store.putBytes('jobs/t/a.json', '{}')
    // Readable at once (read-after-write), missing from listings for a moment.
    expect(await store.getBytes('jobs/t/a.json')).toBeDefined()
    expect(await collectKeys(store.keys('jobs/t/'))).toEqual([])
    expect((await store.listPage('jobs/t/', { limit: 10 })).keys).toEqual([])
    now += 500
    expect(await collectKeys(store.keys('jobs/t/'))).toEqual(['jobs/t/a.json'])
    // An overwrite does not hide a key already listed.
    await store.putBytes('jobs/t/a.json', '{"v":2}')
    expect(await collectKeys(store.keys('jobs/t/'))).toEqual(['jobs/t/a.json'])
  })
})

describe('S3ObjectStore over FakeS3 (how the adapter maps S3 answers written from the S3 API reference)', () => {
  it('reads a listing a page (one ListObjectsV2) at a time, as the caller iterates', async () => {
    const s3 = new FakeS3()
    const store = fakeS3ObjectStore(s3)
    for (let i = 0; i < 10; i++) await store.putBytes(`jobs/t/${i}.json`, '{}')
    const before = s3.calls.ListObjectsV2 ?? 0
    const seen: string[] = []
    for await (const key of store.keys('jobs/t/', { pageSize: 3 })) {
      seen.push(key)
      if (seen.length === 4) break
    }
    expect(s3.calls.ListObjectsV2! - before).toBe(2)
    expect(await collectKeys(store.keys('jobs/t/', { pageSize: 3 }))).toHaveLength(10)
    expect(s3.calls.ListObjectsV2! - before).toBe(2 + 4)
  })

  it('maps a 409 ConditionalRequestConflict to PreconditionFailed, so the caller reads again and retries', async () => {
    const s3 = new FakeS3()
    const store = fakeS3ObjectStore(s3)
    s3.failNext('PutObject', 'ConditionalRequestConflict', 409)
    await expect(store.putBytes('catalog/t/a.json', '{}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailed)
    expect(await store.getBytes('catalog/t/a.json')).toBeUndefined()
  })

  it('passes other S3 errors on unchanged (a 503 SlowDown is the caller’s to retry)', async () => {
    const s3 = new FakeS3()
    const store = fakeS3ObjectStore(s3)
    s3.failNext('PutObject', 'SlowDown', 503)
    await expect(store.putBytes('catalog/t/a.json', '{}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(FakeS3Error)
  })

  it('uploads a big body in parts and shows nothing, and leaves no upload open, when the body fails', async () => {
    const MiB = 1024 * 1024
    const s3 = new FakeS3({ minPartBytes: 5 * MiB })
    const store = fakeS3ObjectStore(s3, { partBytes: 5 * MiB })
    const chunks = (n: number, fail = false) =>
      (async function* () {
        for (let i = 0; i < n; i++) yield Buffer.alloc(MiB, 97 + (i % 26))
        if (fail) throw new Error('connection reset')
      })()
    const { bytes } = await store.put('raw/t/f/data', chunks(12))
    expect(bytes).toBe(12 * MiB)
    expect(s3.calls.UploadPart).toBe(3)
    expect((await store.getBytes('raw/t/f/data'))!.byteLength).toBe(12 * MiB)
    expect((await store.getBytesWithTag('raw/t/f/data'))?.etag).toMatch(/-3"$/)

    await expect(store.put('raw/t/g/data', chunks(11, true))).rejects.toThrow('connection reset')
    expect(await store.size('raw/t/g/data')).toBeUndefined()
    expect(s3.pendingUploads()).toEqual([])
  })

  it('answers an empty head for an empty object (S3 answers 416 to its ranged GET)', async () => {
    const s3 = new FakeS3()
    const store = fakeS3ObjectStore(s3)
    await store.putBytes('usage/.clean', '')
    expect(await store.readHead('usage/.clean', 10)).toEqual(new Uint8Array())
  })
})
