import { PreconditionFailed, type ObjectStore, type PutBytesOptions } from './ports/object-store.ts'

/** Small JSON records (metadata, job and query records, catalog entries) kept in the object store. */
export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const bytes = await store.getBytes(key)
  return bytes === undefined ? undefined : parse<T>(bytes)
}

/** A record with the etag it was read at, to write it back only if nobody changed it since. */
export async function readJsonWithTag<T>(store: ObjectStore, key: string): Promise<{ value: T; etag: string } | undefined> {
  const read = await store.getBytesWithTag(key)
  return read === undefined ? undefined : { value: parse<T>(read.bytes), etag: read.etag }
}

/** Writes a record (with a condition, if given: see ObjectStore.putBytes). */
export async function writeJson(store: ObjectStore, key: string, value: unknown, opts?: PutBytesOptions): Promise<void> {
  await store.putBytes(key, JSON.stringify(value, null, 2), opts)
}

/** How often a read-modify-write is tried before the conflict is answered (409). */
const UPDATE_ATTEMPTS = 12

/**
 * Read-modify-write of one record that several replicas may write at once, by conditional
 * writes: read it with its etag, compute the next value, write it only if the record is still
 * the one read (or, when there was none, only if there still is none); on a conflict read again
 * and compute again. So `change` may run more than once and must be safe to: a pure function of
 * what it is given, with no effect outside that a second run would repeat. What it throws ends
 * the update with nothing written. After UPDATE_ATTEMPTS conflicts in a row, PreconditionFailed
 * (an AppError CONFLICT) is thrown.
 */
export async function updateJson<T>(
  store: ObjectStore,
  key: string,
  change: (current: T | undefined) => T | Promise<T>,
  opts: { attempts?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? UPDATE_ATTEMPTS
  for (let attempt = 1; ; attempt++) {
    const current = await readJsonWithTag<T>(store, key)
    const next = await change(current?.value)
    try {
      await writeJson(store, key, next, current ? { ifMatch: current.etag } : { ifNoneMatch: '*' })
      return next
    } catch (err) {
      if (!(err instanceof PreconditionFailed) || attempt >= attempts) throw err
      // Jittered, growing: replicas that collided do not collide again in step.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 100)))
    }
  }
}

function parse<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T
}
