import { readJson, writeJson } from '../../json-records.ts'
import { KeyedLock } from '../../keyed-lock.ts'
import { keys } from '../../keys.ts'
import type { Catalog, TableEntry } from '../../ports/catalog.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { TenantId } from '../../tenant.ts'

/** The local catalog: one JSON entry per table in the object store, written atomically. */
/** How long after a change the folder's mtime is not trusted to tell the next one. */
const SETTLE_MS = 100

export class StoreCatalog implements Catalog {
  private readonly lock = new KeyedLock()
  private readonly listed = new Map<TenantId, { version: number; entries: TableEntry[] }>()

  /** `version` tells when a tenant's entries may have changed (the folder's mtime locally). */
  constructor(
    private readonly store: ObjectStore,
    private readonly version: (prefix: string) => Promise<number | undefined> = async () => undefined,
  ) {}

  get(tenant: TenantId, name: string): Promise<TableEntry | undefined> {
    return readJson<TableEntry>(this.store, keys.catalogEntry(tenant, name))
  }

  /**
   * Every query asks for the list: it is read again only when the catalog folder changed, and
   * not trusted for a moment after a change (a file system's clock ticks coarsely).
   */
  async list(tenant: TenantId): Promise<TableEntry[]> {
    const version = await this.version(keys.catalogPrefix(tenant))
    const cached = this.listed.get(tenant)
    if (version !== undefined && cached?.version === version) return structuredClone(cached.entries)
    const entries = await this.read(tenant)
    if (version !== undefined && Date.now() - version > SETTLE_MS) this.listed.set(tenant, { version, entries: structuredClone(entries) })
    return entries
  }

  private async read(tenant: TenantId): Promise<TableEntry[]> {
    const entries: TableEntry[] = []
    for (const key of await this.store.list(keys.catalogPrefix(tenant))) {
      if (!key.endsWith('.json')) continue
      const entry = await readJson<TableEntry>(this.store, key)
      if (entry) entries.push(entry)
    }
    return entries.sort((a, b) => a.name.localeCompare(b.name))
  }

  put(entry: TableEntry): Promise<void> {
    this.listed.delete(entry.tenant)
    return this.lock.run(keys.catalogEntry(entry.tenant, entry.name), () =>
      writeJson(this.store, keys.catalogEntry(entry.tenant, entry.name), entry),
    )
  }

  update(tenant: TenantId, name: string, change: (existing: TableEntry | undefined) => TableEntry | Promise<TableEntry>) {
    this.listed.delete(tenant)
    const key = keys.catalogEntry(tenant, name)
    return this.lock.run(key, async () => {
      const next = await change(await this.get(tenant, name))
      await writeJson(this.store, key, next)
      return next
    })
  }

  delete(tenant: TenantId, name: string): Promise<boolean> {
    this.listed.delete(tenant)
    const key = keys.catalogEntry(tenant, name)
    return this.lock.run(key, async () => {
      const existed = (await this.store.size(key)) !== undefined
      await this.store.delete(key)
      return existed
    })
  }
}
