import { notFound } from '../errors.ts'
import { readJson } from '../json-records.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'
import type { FileMeta } from './file-meta.ts'

/** A tenant's uploads: only files whose meta.json exists (complete and checked) are listed. */
export async function listFiles(store: ObjectStore, tenant: TenantId): Promise<FileMeta[]> {
  const metas: FileMeta[] = []
  for (const key of await store.list(keys.rawPrefix(tenant))) {
    if (!key.endsWith('/meta.json')) continue
    const meta = await readJson<FileMeta>(store, key)
    if (meta) metas.push(meta)
  }
  return metas.sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))
}

export async function getFile(store: ObjectStore, tenant: TenantId, fileId: string): Promise<FileMeta> {
  const meta = await readJson<FileMeta>(store, keys.rawMeta(tenant, fileId))
  if (!meta) throw notFound(`The file ${fileId}`)
  return meta
}

export async function deleteFile(store: ObjectStore, tenant: TenantId, fileId: string): Promise<void> {
  await getFile(store, tenant, fileId)
  // The meta goes first, so a crash half-way leaves an unlisted folder, never a listed half file.
  await store.delete(keys.rawMeta(tenant, fileId))
  await store.deletePrefix(keys.rawDir(tenant, fileId))
}
