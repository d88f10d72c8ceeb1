import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiskObjectStore } from './disk-object-store.ts'

let root: string
let store: DiskObjectStore
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'csvlake-store-'))
  store = new DiskObjectStore(root)
})
afterEach(() => rm(root, { recursive: true, force: true }))

describe('DiskObjectStore', () => {
  it('streams an object in and reads it back whole, by head and by size', async () => {
    const { bytes } = await store.put('raw/t/f/data', Readable.from([Buffer.from('hello '), Buffer.from('world')]))
    expect(bytes).toBe(11)
    expect(Buffer.from((await store.getBytes('raw/t/f/data'))!).toString()).toBe('hello world')
    expect(Buffer.from(await store.readHead('raw/t/f/data', 5)).toString()).toBe('hello')
    expect(await store.size('raw/t/f/data')).toBe(11)
    expect(await store.list('raw/t/')).toEqual(['raw/t/f/data'])
  })

  it('leaves nothing behind, not even a temp file, when the body fails mid-way', async () => {
    async function* failing() {
      yield Buffer.from('partial')
      throw new Error('connection reset')
    }
    await expect(store.put('raw/t/f/data', failing())).rejects.toThrow('connection reset')
    expect(await store.size('raw/t/f/data')).toBeUndefined()
    expect(await store.list('')).toEqual([])
    expect(await readdir(join(root, '.tmp'))).toEqual([])
  })

  it('refuses keys that would escape the root', async () => {
    await expect(store.putBytes('../escape', 'x')).rejects.toThrow(/valid object key/)
    await expect(store.putBytes('raw/../../escape', 'x')).rejects.toThrow(/valid object key/)
    await expect(store.putBytes('/etc/passwd', 'x')).rejects.toThrow(/valid object key/)
  })

  it('answers NOT_FOUND for a missing object and undefined for missing bytes', async () => {
    await expect(store.readHead('raw/t/nope/data', 10)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(store.get('raw/t/nope/data')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await store.getBytes('raw/t/nope/data')).toBeUndefined()
  })

  it('deletes a prefix recursively', async () => {
    await store.putBytes('lake/t/a/1/data.parquet', 'x')
    await store.putBytes('lake/t/a/2/data.parquet', 'y')
    await store.putBytes('lake/t/b/1/data.parquet', 'z')
    await store.deletePrefix('lake/t/a/')
    expect(await store.list('lake/')).toEqual(['lake/t/b/1/data.parquet'])
  })

  it('lists one page of a folder at a time: objects and sub-folders, in key order, after a key', async () => {
    for (const id of ['c', 'a', 'b', 'd']) await store.putBytes(`raw/t/${id}/meta.json`, id)
    await store.putBytes('raw/t/z.json', 'z')
    await store.putBytes('raw/other/e/meta.json', 'e')
    expect(await store.listPage('raw/t/', { limit: 2 })).toEqual({ keys: ['raw/t/a/', 'raw/t/b/'], more: true })
    expect(await store.listPage('raw/t/', { limit: 2, startAfter: 'raw/t/b/' })).toEqual({ keys: ['raw/t/c/', 'raw/t/d/'], more: true })
    expect(await store.listPage('raw/t/', { limit: 2, startAfter: 'raw/t/d/' })).toEqual({ keys: ['raw/t/z.json'], more: false })
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

  it('lists what was added or removed right after the folder was last listed, and after it settled', async () => {
    await store.putBytes('jobs/t/a.json', 'a')
    expect((await store.listPage('jobs/t/', { limit: 10 })).keys).toEqual(['jobs/t/a.json'])
    await store.putBytes('jobs/t/b.json', 'b')
    expect((await store.listPage('jobs/t/', { limit: 10 })).keys).toEqual(['jobs/t/a.json', 'jobs/t/b.json'])
    await new Promise((r) => setTimeout(r, 250))
    expect((await store.listPage('jobs/t/', { limit: 10 })).keys).toEqual(['jobs/t/a.json', 'jobs/t/b.json'])
    await store.delete('jobs/t/a.json')
    await store.putBytes('jobs/t/c.json', 'c')
    expect((await store.listPage('jobs/t/', { limit: 10 })).keys).toEqual(['jobs/t/b.json', 'jobs/t/c.json'])
  })
})
