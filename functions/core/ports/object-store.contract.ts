import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { updateJson } from '../json-records.ts'
import { collectKeys, PreconditionFailed, type ObjectStore } from './object-store.ts'

/**
 * What every ObjectStore does, whatever holds the bytes: one suite, run against the disk store,
 * and the S3 adapter (against s3rver over HTTP, and over FakeS3 behind the SDK client).
 */
export type ObjectStoreSubject = {
  store: ObjectStore
  /** Another client over the same objects: another process, or another replica of a function. */
  replica: () => ObjectStore
  close?: () => Promise<void>
}

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'))

export function objectStoreContract(name: string, open: () => Promise<ObjectStoreSubject>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let subject: ObjectStoreSubject
    let store: ObjectStore
    beforeEach(async () => {
      subject = await open()
      store = subject.store
    })
    afterEach(async () => {
      await subject.close?.()
    })

    it('streams an object in and reads it back whole, by stream, by head and by size', async () => {
      const { bytes } = await store.put('raw/t/f/data', Readable.from([Buffer.from('hello '), Buffer.from('world')]))
      expect(bytes).toBe(11)
      expect(text(await store.getBytes('raw/t/f/data'))).toBe('hello world')
      const chunks: Buffer[] = []
      for await (const chunk of await store.get('raw/t/f/data')) chunks.push(Buffer.from(chunk as Uint8Array))
      expect(Buffer.concat(chunks).toString()).toBe('hello world')
      expect(text(await store.readHead('raw/t/f/data', 5))).toBe('hello')
      expect(text(await store.readHead('raw/t/f/data', 100))).toBe('hello world')
      expect(await store.size('raw/t/f/data')).toBe(11)
    })

    it('leaves nothing under the key when the body fails mid-way', async () => {
      async function* failing() {
        yield Buffer.alloc(64 * 1024, 'a')
        yield Buffer.alloc(64 * 1024, 'b')
        throw new Error('connection reset')
      }
      await expect(store.put('raw/t/f/data', failing())).rejects.toThrow('connection reset')
      expect(await store.size('raw/t/f/data')).toBeUndefined()
      expect(await collectKeys(store.keys(''))).toEqual([])
    })

    it('answers NOT_FOUND or undefined for a missing object, as each method says', async () => {
      await expect(store.readHead('raw/t/nope/data', 10)).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(store.get('raw/t/nope/data')).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect(await store.getBytes('raw/t/nope/data')).toBeUndefined()
      expect(await store.getBytesWithTag('raw/t/nope/data')).toBeUndefined()
      expect(await store.size('raw/t/nope/data')).toBeUndefined()
      await store.delete('raw/t/nope/data')
    })

    it('reads a range from anywhere in an object, cut at its end, and empty past it', async () => {
      await store.putBytes('raw/t/f/data', 'hello world')
      expect(text(await store.readRange('raw/t/f/data', 6, 11))).toBe('world')
      expect(text(await store.readRange('raw/t/f/data', 0, 5))).toBe('hello')
      expect(text(await store.readRange('raw/t/f/data', 4, 7))).toBe('o w')
      expect(text(await store.readRange('raw/t/f/data', 9, 100))).toBe('ld')
      expect(await store.readRange('raw/t/f/data', 11, 20)).toHaveLength(0)
      expect(await store.readRange('raw/t/f/data', 50, 60)).toHaveLength(0)
      await expect(store.readRange('raw/t/nope/data', 3, 5)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('answers an empty head for an empty object', async () => {
      await store.putBytes('usage/.clean', '')
      expect(await store.readHead('usage/.clean', 1024)).toHaveLength(0)
      expect(await store.size('usage/.clean')).toBe(0)
      expect(text(await store.getBytes('usage/.clean'))).toBe('')
    })

    it('iterates every key under a prefix, recursively and in key order, across pages and after a key', async () => {
      const written = ['jobs/t/b.json', 'jobs/t/a.json', 'jobs/t/sub/c.json', 'jobs/t2/x.json', 'jobs/t/a.json.bak', 'queries/t/q.json', 'jobs/t/sub-2/d.json']
      for (const key of written) await store.putBytes(key, key)
      const underT = ['jobs/t/a.json', 'jobs/t/a.json.bak', 'jobs/t/b.json', 'jobs/t/sub-2/d.json', 'jobs/t/sub/c.json']
      expect(await collectKeys(store.keys('jobs/t/'))).toEqual(underT)
      expect(await collectKeys(store.keys('jobs/t/', { pageSize: 2 }))).toEqual(underT)
      expect(await collectKeys(store.keys('jobs/t/', { startAfter: 'jobs/t/b.json', pageSize: 1 }))).toEqual(underT.slice(3))
      expect(await collectKeys(store.keys('jobs/t'))).toEqual([...underT, 'jobs/t2/x.json'])
      expect(await collectKeys(store.keys('jobs/t/a'))).toEqual(['jobs/t/a.json', 'jobs/t/a.json.bak'])
      expect(await collectKeys(store.keys('jobs/none/'))).toEqual([])
      expect(await collectKeys(store.keys('jobs/t/'))).toEqual(underT)
    })

    it('reads no further than the caller iterates', async () => {
      for (let i = 0; i < 10; i++) await store.putBytes(`jobs/t/${i}.json`, '{}')
      const first: string[] = []
      for await (const key of store.keys('jobs/t/', { pageSize: 3 })) {
        first.push(key)
        if (first.length === 2) break
      }
      expect(first).toEqual(['jobs/t/0.json', 'jobs/t/1.json'])
    })

    it('lists one page of a folder at a time: objects and sub-folders, in key order, after a key', async () => {
      for (const id of ['c', 'a', 'b', 'd']) await store.putBytes(`raw/t/${id}/meta.json`, id)
      await store.putBytes('raw/t/b/data', 'b')
      await store.putBytes('raw/t/z.json', 'z')
      await store.putBytes('raw/other/e/meta.json', 'e')
      expect(await store.listPage('raw/t/', { limit: 2 })).toEqual({ keys: ['raw/t/a/', 'raw/t/b/'], more: true })
      expect(await store.listPage('raw/t/', { limit: 2, startAfter: 'raw/t/b/' })).toEqual({ keys: ['raw/t/c/', 'raw/t/d/'], more: true })
      expect(await store.listPage('raw/t/', { limit: 2, startAfter: 'raw/t/d/' })).toEqual({ keys: ['raw/t/z.json'], more: false })
      expect(await store.listPage('raw/t/', { limit: 10 })).toEqual({ keys: ['raw/t/a/', 'raw/t/b/', 'raw/t/c/', 'raw/t/d/', 'raw/t/z.json'], more: false })
      expect(await store.listPage('raw/none/', { limit: 2 })).toEqual({ keys: [], more: false })
    })

    it('sums the bytes under a prefix, recursively', async () => {
      await store.putBytes('lake/t/a/1/data.parquet', 'xxxx')
      await store.putBytes('lake/t/a/2/data.parquet', 'yy')
      await store.putBytes('lake/t2/b/1/data.parquet', 'zzzzzzzz')
      expect(await store.sizeUnder('lake/t/')).toBe(6)
      expect(await store.sizeUnder('lake/t/a/2/')).toBe(2)
      expect(await store.sizeUnder('lake/none/')).toBe(0)
    })

    it('deletes one key, and every key under a prefix', async () => {
      await store.putBytes('lake/t/a/1/data.parquet', 'x')
      await store.putBytes('lake/t/a/2/data.parquet', 'y')
      await store.putBytes('lake/t/b/1/data.parquet', 'z')
      await store.putBytes('lake/t/ab.json', 'z')
      await store.deletePrefix('lake/t/a/')
      expect(await collectKeys(store.keys('lake/'))).toEqual(['lake/t/ab.json', 'lake/t/b/1/data.parquet'])
      await store.delete('lake/t/ab.json')
      expect(await collectKeys(store.keys('lake/'))).toEqual(['lake/t/b/1/data.parquet'])
    })

    it('answers the etag of what it wrote, and reads it back with the bytes', async () => {
      const first = await store.putBytes('catalog/t/sales.json', 'one')
      expect(await store.getBytesWithTag('catalog/t/sales.json')).toEqual({ bytes: expect.anything(), etag: first.etag })
      expect(text((await store.getBytesWithTag('catalog/t/sales.json'))?.bytes)).toBe('one')
      const second = await store.putBytes('catalog/t/sales.json', 'two')
      expect(second.etag).not.toBe(first.etag)
      expect((await store.getBytesWithTag('catalog/t/sales.json'))?.etag).toBe(second.etag)
    })

    it('creates only where nothing is, with ifNoneMatch', async () => {
      await store.putBytes('catalog/t/sales.json', 'first', { ifNoneMatch: '*' })
      const refused = store.putBytes('catalog/t/sales.json', 'second', { ifNoneMatch: '*' })
      await expect(refused).rejects.toBeInstanceOf(PreconditionFailed)
      await expect(refused).rejects.toMatchObject({ code: 'CONFLICT', status: 409, details: { key: 'catalog/t/sales.json' } })
      expect(text(await store.getBytes('catalog/t/sales.json'))).toBe('first')
    })

    it('replaces only what is unchanged since it was read, with ifMatch', async () => {
      const { etag } = await store.putBytes('catalog/t/sales.json', 'v1')
      const next = await store.putBytes('catalog/t/sales.json', 'v2', { ifMatch: etag })
      await expect(store.putBytes('catalog/t/sales.json', 'stale', { ifMatch: etag })).rejects.toBeInstanceOf(PreconditionFailed)
      expect(text(await store.getBytes('catalog/t/sales.json'))).toBe('v2')
      await store.putBytes('catalog/t/sales.json', 'v3', { ifMatch: next.etag })
      expect(text(await store.getBytes('catalog/t/sales.json'))).toBe('v3')
    })

    it('refuses to replace with ifMatch what is no longer there', async () => {
      const { etag } = await store.putBytes('catalog/t/sales.json', 'v1')
      await store.delete('catalog/t/sales.json')
      await expect(store.putBytes('catalog/t/sales.json', 'v2', { ifMatch: etag })).rejects.toBeInstanceOf(PreconditionFailed)
      expect(await store.getBytes('catalog/t/sales.json')).toBeUndefined()
    })

    it('deletes with ifMatch only what is unchanged since it was read', async () => {
      const { etag } = await store.putBytes('catalog/t/sales.json', 'v1')
      await store.putBytes('catalog/t/sales.json', 'v2')
      await expect(store.delete('catalog/t/sales.json', { ifMatch: etag })).rejects.toBeInstanceOf(PreconditionFailed)
      expect(text(await store.getBytes('catalog/t/sales.json'))).toBe('v2')
      const current = await store.getBytesWithTag('catalog/t/sales.json')
      await store.delete('catalog/t/sales.json', { ifMatch: current!.etag })
      expect(await store.getBytes('catalog/t/sales.json')).toBeUndefined()
      await expect(store.delete('catalog/t/sales.json', { ifMatch: current!.etag })).rejects.toBeInstanceOf(PreconditionFailed)
    })

    it('refuses a write with both conditions', async () => {
      await expect(store.putBytes('catalog/t/sales.json', 'x', { ifNoneMatch: '*', ifMatch: '"x"' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    })

    it('lets exactly one of two replicas racing to create a record win', async () => {
      const other = subject.replica()
      for (let round = 0; round < 10; round++) {
        const key = `jobs/t/race-${round}.json`
        const results = await Promise.allSettled([store.putBytes(key, 'a', { ifNoneMatch: '*' }), other.putBytes(key, 'b', { ifNoneMatch: '*' })])
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
        const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
        expect(loser.reason).toBeInstanceOf(PreconditionFailed)
        const winner = results[0]!.status === 'fulfilled' ? 'a' : 'b'
        expect(text(await other.getBytes(key))).toBe(winner)
      }
    })

    it('loses no change when replicas read, modify and write one record at once', async () => {
      const replicas = [store, subject.replica(), subject.replica()]
      const key = 'usage/t.json'
      const bump = (s: ObjectStore) => updateJson<{ n: number }>(s, key, (current) => ({ n: (current?.n ?? 0) + 1 }), { attempts: 100 })
      await Promise.all(replicas.flatMap((s) => Array.from({ length: 8 }, () => bump(s))))
      expect(JSON.parse(text(await store.getBytes(key))!)).toEqual({ n: 24 })
    })
  })
}
