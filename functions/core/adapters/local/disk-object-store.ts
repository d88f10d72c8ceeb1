import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { link, mkdir, open, readdir, rename, rm, stat, unlink, readFile } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError, notFound } from '../../errors.ts'
import { KeyedLock } from '../../keyed-lock.ts'
import { collectKeys, PreconditionFailed, writeCondition, type ListPage, type ObjectStore, type PutBytesOptions, type WriteCondition } from '../../ports/object-store.ts'
import { DiskKeyLock } from './disk-key-lock.ts'

const TMP_DIR = '.tmp'
/** The per-key lock files of conditional writes (see DiskKeyLock); never listed. */
const LOCKS_DIR = '.locks'
/** While a big object streams in, it is flushed to disk every this many bytes. */
const SYNC_EVERY_BYTES = 64 * 1024 * 1024
/** A folder's mtime this recent may not yet show a change made in the same clock tick. */
const RACY_MS = 100
/** How many folders' listings are kept (a few per tenant being paged through). */
const MAX_LISTINGS = 64

/**
 * The object store as a folder on disk. Writes go to `.tmp/` under the root, are fsynced,
 * then renamed into place: a reader (or a listing) never sees a partial object.
 *
 * Etags are the MD5 of the bytes (as S3's are for a single PutObject), computed when read: they
 * need no storage and change exactly when the content does. Conditional writes run under a lock
 * file per key (DiskKeyLock), so they exclude each other across processes sharing the folder;
 * create-only writes also link() into place, which fails if anything (even an unconditional
 * write) put the key there first. Conditional deletes take the same lock. An unconditional write
 * or delete does not wait for it: a key written with conditions should only be written (and
 * deleted) with conditions.
 */
export class DiskObjectStore implements ObjectStore {
  readonly root: string
  /** Sorted listings of folders paged through lately, by path, with the mtime they were read at. */
  private readonly listings = new Map<string, { mtimeMs: number; keys: string[] }>()
  /** In-process turns first, so this process's writers of one key do not poll the lock file. */
  private readonly turns = new KeyedLock()
  private readonly locks: DiskKeyLock

  constructor(root: string) {
    this.root = resolve(root)
    this.locks = new DiskKeyLock({ locks: join(this.root, LOCKS_DIR), temp: join(this.root, TMP_DIR) })
  }

  /** The file behind a key, for local adapters (DuckDB) that read files by path. */
  pathOf(key: string): string {
    if (key.includes('\0') || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.')) {
      throw new AppError('BAD_REQUEST', `Not a valid object key: ${JSON.stringify(key)}`)
    }
    const path = resolve(this.root, key)
    if (!path.startsWith(this.root + sep)) throw new AppError('BAD_REQUEST', 'Object key escapes the data folder')
    return path
  }

  async put(key: string, body: Readable | AsyncIterable<Uint8Array>): Promise<{ bytes: number }> {
    const target = this.pathOf(key)
    const temp = await this.tempPath()
    const handle = await open(temp, 'wx')
    const out = handle.createWriteStream({ highWaterMark: 1024 * 1024 })
    let bytes = 0
    let unsynced = 0
    let syncing: Promise<void> = Promise.resolve()
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            bytes += chunk.byteLength
            unsynced += chunk.byteLength
            // Flush to disk while the rest still arrives, so the final fsync finds little left.
            if (unsynced >= SYNC_EVERY_BYTES) {
              unsynced = 0
              syncing = syncing.then(() => handle.datasync()).catch(() => undefined)
            }
            yield chunk
          }
        },
        out,
      )
      await syncing
      await fsyncFile(temp)
      await mkdir(dirname(target), { recursive: true })
      // Rename last, so readers never see a partial file.
      await rename(temp, target)
      return { bytes }
    } catch (err) {
      // The stream may still be writing; remove the file only once the stream has closed.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()))
      await syncing
      await rm(temp, { force: true })
      throw err
    }
  }

  async putBytes(key: string, data: Uint8Array | string, opts: PutBytesOptions = {}): Promise<{ etag: string }> {
    const target = this.pathOf(key)
    const condition = writeCondition(opts)
    if (condition) return this.turns.run(key, () => this.locks.run(key, () => this.putIf(key, target, data, condition, opts.durable !== false)))
    const temp = await this.writeTemp(data, opts.durable !== false)
    try {
      await this.into(temp, target, rename)
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
    // A string (immutable) is hashed only if asked for: most writers (query records, markers) never read it.
    if (typeof data !== 'string') return { etag: etagOf(data) }
    return {
      get etag() {
        return etagOf(data)
      },
    }
  }

  /** A conditional write, under the key's lock: the check and the write are one step to other writers. */
  private async putIf(key: string, target: string, data: Uint8Array | string, condition: WriteCondition, durable: boolean): Promise<{ etag: string }> {
    if ('ifMatch' in condition) {
      const current = await readFile(target).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)))
      if (current === undefined || etagOf(current) !== condition.ifMatch) throw new PreconditionFailed(key, condition)
    }
    const temp = await this.writeTemp(data, durable)
    try {
      // Create only: link() fails when the key exists, whoever wrote it; replace: rename over it.
      await this.into(temp, target, 'ifNoneMatch' in condition ? link : rename)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new PreconditionFailed(key, condition)
      throw err
    } finally {
      await rm(temp, { force: true })
    }
    return { etag: etagOf(data) }
  }

  /** Writes small bytes under a temp name (fsynced unless not durable) and answers its path. */
  private async writeTemp(data: Uint8Array | string, durable: boolean): Promise<string> {
    // Small objects are written on every query: no mkdir before the open or the rename unless
    // the folder turns out to be missing (each is a round trip to the thread pool).
    const temp = join(this.root, TMP_DIR, randomUUID())
    try {
      const handle = await open(temp, 'wx').catch(async (err: unknown) => {
        if (!isMissing(err)) throw err
        await mkdir(dirname(temp), { recursive: true })
        return open(temp, 'wx')
      })
      try {
        await handle.writeFile(data)
        if (durable) await handle.sync()
      } finally {
        await handle.close()
      }
      return temp
    } catch (err) {
      await rm(temp, { force: true })
      throw err
    }
  }

  /** Moves (rename) or links a temp file to its key's path, making the key's folder if missing. */
  private async into(temp: string, target: string, move: (from: string, to: string) => Promise<void>): Promise<void> {
    await move(temp, target).catch(async (err: unknown) => {
      if (!isMissing(err)) throw err
      await mkdir(dirname(target), { recursive: true })
      await move(temp, target)
    })
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key)
    if ((await this.size(key)) === undefined) throw notFound('The object')
    return createReadStream(path)
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key))
    } catch (err) {
      if (isMissing(err)) return undefined
      throw err
    }
  }

  async getBytesWithTag(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    const bytes = await this.getBytes(key)
    return bytes === undefined ? undefined : { bytes, etag: etagOf(bytes) }
  }

  async readHead(key: string, maxBytes: number): Promise<Uint8Array> {
    return this.readRange(key, 0, maxBytes)
  }

  async readRange(key: string, start: number, end: number): Promise<Uint8Array> {
    let handle
    try {
      handle = await open(this.pathOf(key), 'r')
    } catch (err) {
      if (isMissing(err)) throw notFound('The object')
      throw err
    }
    try {
      const wanted = Math.max(0, end - start)
      const buffer = Buffer.alloc(wanted)
      let filled = 0
      while (filled < wanted) {
        const { bytesRead } = await handle.read(buffer, filled, wanted - filled, start + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      return buffer.subarray(0, filled)
    } finally {
      await handle.close()
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const info = await stat(this.pathOf(key))
      return info.isFile() ? info.size : undefined
    } catch (err) {
      if (isMissing(err)) return undefined
      throw err
    }
  }

  /**
   * Walks the folders under `prefix` depth first, each folder's entries in key order (a folder
   * `a` sorts as `a/`), so keys come out in key order one folder read at a time, and folders
   * wholly at or before `startAfter` are not read at all.
   */
  async *keys(prefix: string, opts: { startAfter?: string; pageSize?: number } = {}): AsyncIterable<string> {
    const after = opts.startAfter ?? ''
    const dir = prefix.endsWith('/') ? prefix.slice(0, -1) : dirname(prefix)
    const start = dir === '.' || dir === '' ? '' : dir + '/'
    const self = this
    async function* walk(folder: string): AsyncGenerator<string> {
      let entries
      try {
        entries = await readdir(folder === '' ? self.root : self.pathOf(folder.slice(0, -1)), { withFileTypes: true })
      } catch (err) {
        if (isMissing(err)) return
        throw err
      }
      const named = entries
        .filter((e) => (e.isDirectory() || e.isFile()) && !(folder === '' && (e.name === TMP_DIR || e.name === LOCKS_DIR)))
        .map((e) => folder + e.name + (e.isDirectory() ? '/' : ''))
        .sort()
      for (const key of named) {
        if (key.endsWith('/')) {
          // A folder beside the prefix, or wholly at or before startAfter, holds nothing to list.
          if (!key.startsWith(prefix) && !prefix.startsWith(key)) continue
          if (after >= key && !after.startsWith(key)) continue
          yield* walk(key)
        } else if (key.startsWith(prefix) && key > after) yield key
      }
    }
    yield* walk(start)
  }

  async listPage(prefix: string, page: { limit: number; startAfter?: string }): Promise<ListPage> {
    if (!prefix.endsWith('/')) throw new AppError('BAD_REQUEST', `Only a folder can be listed by page: ${JSON.stringify(prefix)}`)
    const keys = await this.folderKeys(prefix)
    // The first key after startAfter, by binary search over the sorted keys.
    let low = 0
    let high = keys.length
    while (page.startAfter !== undefined && low < high) {
      const mid = (low + high) >>> 1
      if (keys[mid]! <= page.startAfter) low = mid + 1
      else high = mid
    }
    return { keys: keys.slice(low, low + page.limit), more: keys.length > low + page.limit }
  }

  /**
   * The sorted keys directly under a folder. A folder of thousands is one readdir and a sort of
   * names (about 13 ms for 10,000): kept while the folder's mtime stays the same, so a page of
   * an unchanged folder costs a stat. An mtime younger than RACY_MS is not trusted (the clock
   * behind it is coarse: a change in the same tick would keep it), as git treats racy entries.
   */
  private async folderKeys(prefix: string): Promise<string[]> {
    const dir = this.pathOf(prefix.slice(0, -1))
    let info
    try {
      info = await stat(dir)
    } catch (err) {
      if (isMissing(err)) return []
      throw err
    }
    const cached = this.listings.get(dir)
    if (cached && cached.mtimeMs === info.mtimeMs) return cached.keys
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (err) {
      if (isMissing(err)) return []
      throw err
    }
    const keys = entries
      .filter((e) => e.isDirectory() || e.isFile())
      .map((e) => prefix + e.name + (e.isDirectory() ? '/' : ''))
      .sort()
    this.listings.delete(dir)
    if (Date.now() - info.mtimeMs > RACY_MS) {
      this.listings.set(dir, { mtimeMs: info.mtimeMs, keys })
      // The folders listed most recently stay (a Map keeps insertion order).
      if (this.listings.size > MAX_LISTINGS) this.listings.delete(this.listings.keys().next().value!)
    }
    return keys
  }

  async sizeUnder(prefix: string): Promise<number> {
    if (!prefix.endsWith('/')) {
      const sizes = await Promise.all((await collectKeys(this.keys(prefix))).map((key) => this.size(key)))
      return sizes.reduce<number>((n, s) => n + (s ?? 0), 0)
    }
    return sizeOfTree(this.pathOf(prefix.slice(0, -1)))
  }

  async delete(key: string, opts: { ifMatch?: string } = {}): Promise<void> {
    const path = this.pathOf(key)
    const { ifMatch } = opts
    if (ifMatch !== undefined) {
      // Under the key's lock, as conditional writes are: the check and the removal are one step to them.
      return this.turns.run(key, () =>
        this.locks.run(key, async () => {
          const current = await readFile(path).catch((err: unknown) => (isMissing(err) ? undefined : Promise.reject(err)))
          if (current === undefined || etagOf(current) !== ifMatch) throw new PreconditionFailed(key, { ifMatch })
          await unlink(path)
        }),
      )
    }
    try {
      await unlink(path)
    } catch (err) {
      if (!isMissing(err)) throw err
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (prefix.endsWith('/')) {
      await rm(this.pathOf(prefix.slice(0, -1)), { recursive: true, force: true })
      return
    }
    for (const key of await collectKeys(this.keys(prefix))) await this.delete(key)
  }

  /** When anything under a folder prefix last changed (its mtime in ms), or undefined if none. */
  async version(prefix: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(prefix.replace(/\/$/, '')))).mtimeMs
    } catch (err) {
      if (isMissing(err)) return undefined
      throw err
    }
  }

  /** Temp files from a process that died mid-write are garbage; clear them at start-up. */
  async clearTemp(): Promise<void> {
    await rm(join(this.root, TMP_DIR), { recursive: true, force: true })
  }

  private async tempPath(): Promise<string> {
    const dir = join(this.root, TMP_DIR)
    await mkdir(dir, { recursive: true })
    return join(dir, randomUUID())
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Bytes of every file in a folder tree, read a level at a time, a few folders side by side. */
async function sizeOfTree(root: string): Promise<number> {
  let total = 0
  let level = [root]
  while (level.length > 0) {
    const next: string[] = []
    let i = 0
    const worker = async () => {
      while (i < level.length) {
        const dir = level[i++]!
        let entries
        try {
          entries = await readdir(dir, { withFileTypes: true })
        } catch (err) {
          if (isMissing(err)) continue
          throw err
        }
        const files: Promise<number>[] = []
        for (const entry of entries) {
          const path = join(dir, entry.name)
          if (entry.isDirectory()) next.push(path)
          else if (entry.isFile()) files.push(stat(path).then((s) => s.size, (err: unknown) => (isMissing(err) ? 0 : Promise.reject(err))))
        }
        for (const size of await Promise.all(files)) total += size
      }
    }
    await Promise.all(Array.from({ length: Math.min(16, level.length) }, worker))
    level = next
  }
  return total
}

/** As S3 answers for a single PutObject: the MD5 of the bytes, quoted. Callers treat it as opaque. */
function etagOf(data: Uint8Array | string): string {
  return `"${createHash('md5').update(data).digest('hex')}"`
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
