import { notFound } from '../errors.ts'
import { readJson } from '../json-records.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'
import type { FileMeta } from './file-meta.ts'
import type { StorageUsage } from './storage-usage.ts'

export type FilesPage = { files: FileMeta[]; /** The last file id looked at, when more may follow. */ after?: string }

/**
 * One page of a tenant's uploads, newest first, after the file `after`: only files whose
 * meta.json exists (complete and checked) are listed. File ids sort newest first (ids.ts), so a
 * page reads its folder names and `limit` records, however many uploads the tenant keeps.
 */
export async function listFilesPage(store: ObjectStore, tenant: TenantId, page: { limit: number; after?: string }): Promise<FilesPage> {
  const files: FileMeta[] = []
  let startAfter = page.after === undefined ? undefined : keys.rawDir(tenant, page.after)
  for (;;) {
    const listed = await store.listPage(keys.rawPrefix(tenant), { limit: page.limit - files.length, ...(startAfter ? { startAfter } : {}) })
    const folders = listed.keys.filter((k) => k.endsWith('/'))
    // An upload still streaming (or half deleted) has no meta.json: skipped, the page filled from further on.
    const metas = await Promise.all(folders.map((dir) => readJson<FileMeta>(store, `${dir}meta.json`)))
    for (const meta of metas) if (meta) files.push(withFormat(meta))
    if (!listed.more) return { files }
    startAfter = listed.keys.at(-1)!
    if (files.length >= page.limit) return { files, after: startAfter.slice(keys.rawPrefix(tenant).length).replace(/\/$/, '') }
  }
}

export async function getFile(store: ObjectStore, tenant: TenantId, fileId: string): Promise<FileMeta> {
  const meta = await readJson<FileMeta>(store, keys.rawMeta(tenant, fileId))
  if (!meta) throw notFound(`The file ${fileId}`)
  return withFormat(meta)
}

/** Uploads kept before formats were told apart are all CSV. */
function withFormat(meta: FileMeta): FileMeta {
  return meta.format ? meta : { ...meta, format: 'csv' }
}

export async function deleteFile(deps: { store: ObjectStore; usage: StorageUsage }, tenant: TenantId, fileId: string): Promise<void> {
  const { store } = deps
  // One removal at a time: two deletes of one file at once must not both free its bytes.
  await deps.usage.exclusive(tenant, async () => {
    await getFile(store, tenant, fileId)
    const bytes = await store.sizeUnder(keys.rawDir(tenant, fileId))
    // The meta goes first, so a crash half-way leaves an unlisted folder, never a listed half file.
    await store.delete(keys.rawMeta(tenant, fileId))
    await store.deletePrefix(keys.rawDir(tenant, fileId))
    deps.usage.changed(tenant, -bytes)
  })
}
