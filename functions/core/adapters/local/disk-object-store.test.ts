import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { updateJson } from '../../json-records.ts'
import { collectKeys, PreconditionFailed } from '../../ports/object-store.ts'
import { DiskKeyLock } from './disk-key-lock.ts'
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
    expect(await collectKeys(store.keys('raw/t/'))).toEqual(['raw/t/f/data'])
  })

  it('leaves nothing behind, not even a temp file, when the body fails mid-way', async () => {
    async function* failing() {
      yield Buffer.from('partial')
      throw new Error('connection reset')
    }
    await expect(store.put('raw/t/f/data', failing())).rejects.toThrow('connection reset')
    expect(await store.size('raw/t/f/data')).toBeUndefined()
    expect(await collectKeys(store.keys(''))).toEqual([])
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
    expect(await collectKeys(store.keys('lake/'))).toEqual(['lake/t/b/1/data.parquet'])
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

const NODE = fileURLToPath(new URL('../../../../node_modules/.bin/node', import.meta.url))
const RACER = fileURLToPath(new URL('./disk-object-store.race.fixture.ts', import.meta.url))

/**
 * Racers in processes of their own over the same folder, started together once each is ready
 * (so they do race); `go` starts them and answers what each printed at the end.
 */
async function racers(mode: 'bump' | 'create', count: number, names: string[]): Promise<{ go: () => Promise<{ won: number }[]> }> {
  const children = names.map((name) => spawn(NODE, ['--experimental-transform-types', '--no-warnings', RACER, root, mode, String(count), name]))
  const outputs = children.map((child) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('ready\n') && resolve()))
    const ended = new Promise<{ won: number }>((resolve, reject) =>
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n')[1]!) as { won: number }) : reject(new Error(`racer exited ${code}`)))),
    )
    return { child, ready, ended }
  })
  await Promise.all(outputs.map((o) => o.ready))
  return {
    go: () => {
      for (const o of outputs) o.child.stdin.write('go\n')
      return Promise.all(outputs.map((o) => o.ended))
    },
  }
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(NODE, ['-e', ''])
  await new Promise((r) => child.once('exit', r))
  return child.pid!
}

const lockOf = (key: string) => join(root, '.locks', createHash('sha1').update(key).digest('hex'))

describe('DiskObjectStore conditional writes across processes', () => {
  it('loses no change when two processes and this one read, modify and write one record at once', async () => {
    const { go } = await racers('bump', 20, ['a', 'b'])
    const others = go()
    const here = Array.from({ length: 20 }, () => updateJson<{ n: number }>(store, 'usage/counter.json', (c) => ({ n: (c?.n ?? 0) + 1 }), { attempts: 1000 }))
    await Promise.all([others, ...here])
    expect(JSON.parse(Buffer.from((await store.getBytes('usage/counter.json'))!).toString())).toEqual({ n: 60 })
  })

  it('lets exactly one process create each record when processes race to create the same ones', async () => {
    const [a, b] = (await (await racers('create', 30, ['a', 'b'])).go()) as [{ won: number }, { won: number }]
    expect(a.won + b.won).toBe(30)
    const holders = await Promise.all(Array.from({ length: 30 }, async (_, i) => Buffer.from((await store.getBytes(`jobs/t/race-${i}.json`))!).toString()))
    expect(holders.filter((h) => h === 'a')).toHaveLength(a.won)
  })

  it('breaks a lock left by a process that died holding it, and writes', async () => {
    await mkdir(join(root, '.locks'), { recursive: true })
    await writeFile(lockOf('catalog/t/sales.json'), `${await deadPid()} 5b0c`)
    const started = Date.now()
    await store.putBytes('catalog/t/sales.json', '{}', { ifNoneMatch: '*' })
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await readdir(join(root, '.locks'))).toEqual([])
  })

  it('breaks a lock older than a minute even if its pid now belongs to a live process', async () => {
    await mkdir(join(root, '.locks'), { recursive: true })
    await writeFile(lockOf('catalog/t/sales.json'), `${process.pid} 5b0c`)
    const old = new Date(Date.now() - 120_000)
    await utimes(lockOf('catalog/t/sales.json'), old, old)
    await store.putBytes('catalog/t/sales.json', '{}', { ifNoneMatch: '*' })
    expect(await readdir(join(root, '.locks'))).toEqual([])
  })

  it('breaks at once a fresh lock carrying this process’s pid that this process does not hold (a restarted process given its old pid)', async () => {
    await mkdir(join(root, '.locks'), { recursive: true })
    await writeFile(lockOf('catalog/t/sales.json'), `${process.pid} token-of-an-earlier-life`)
    const started = Date.now()
    await store.putBytes('catalog/t/sales.json', '{}', { ifNoneMatch: '*' })
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await readdir(join(root, '.locks'))).toEqual([])
  })

  it('waits for a lock a live process holds, and never breaks it', async () => {
    const dirs = { locks: join(root, '.locks'), temp: join(root, '.tmp') }
    const one = new DiskKeyLock(dirs)
    const two = new DiskKeyLock(dirs)
    const order: string[] = []
    const first = one.run('k', async () => {
      order.push('one in')
      await new Promise((r) => setTimeout(r, 100))
      order.push('one out')
    })
    await new Promise((r) => setTimeout(r, 10))
    await Promise.all([first, two.run('k', async () => void order.push('two'))])
    expect(order).toEqual(['one in', 'one out', 'two'])
  })

  it('keeps lock files out of listings', async () => {
    await store.putBytes('catalog/t/a.json', '{}', { ifNoneMatch: '*' })
    await mkdir(join(root, '.locks'), { recursive: true })
    await writeFile(join(root, '.locks', 'left-over'), '1 x')
    expect(await collectKeys(store.keys(''))).toEqual(['catalog/t/a.json'])
    await expect(store.putBytes('catalog/t/a.json', '{}', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailed)
  })
})
