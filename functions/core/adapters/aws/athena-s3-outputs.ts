import type { Readable } from 'node:stream'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { AthenaOutputs } from './athena-api.ts'

/**
 * The CSV Athena wrote (`s3://{bucket}/{key}`), read and deleted through the object store. Only
 * objects in csvlake's bucket are reached; Athena writes a `.metadata` object beside each result,
 * removed with it. Where the results go per tenant: `athenaResultsPrefix` (tenant-session-policy.ts).
 */
export function s3AthenaOutputs(store: ObjectStore, bucket: string): AthenaOutputs {
  const keyOf = (location: string) => {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location)
    return match && match[1] === bucket ? match[2]! : undefined
  }
  return {
    async read(location): Promise<Readable | undefined> {
      const key = keyOf(location)
      if (!key || (await store.size(key)) === undefined) return undefined
      return store.get(key)
    },
    async remove(location): Promise<number> {
      const key = keyOf(location)
      if (!key) return 0
      const bytes = (await store.size(key)) ?? 0
      await store.delete(key)
      await store.delete(`${key}.metadata`)
      return bytes
    },
  }
}
