import type { ObjectStore } from './ports/object-store.ts'

/** Small JSON records (metadata, job and query records, catalog entries) kept in the object store. */
export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const bytes = await store.getBytes(key)
  return bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as T)
}

export async function writeJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.putBytes(key, JSON.stringify(value, null, 2))
}
