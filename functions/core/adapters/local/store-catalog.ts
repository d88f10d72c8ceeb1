import { readJson, writeJson } from '../../json-records.ts'
import { KeyedLock } from '../../keyed-lock.ts'
import { keys } from '../../keys.ts'
import type { Catalog, TableEntry } from '../../ports/catalog.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { TenantId } from '../../tenant.ts'

/** The local catalog: one JSON entry per table in the object store, written atomically. */
export class StoreCatalog implements Catalog {
  private readonly lock = new KeyedLock()

  constructor(private readonly store: ObjectStore) {}

  get(tenant: TenantId, name: string): Promise<TableEntry | undefined> {
    return readJson<TableEntry>(this.store, keys.catalogEntry(tenant, name))
  }

  async list(tenant: TenantId): Promise<TableEntry[]> {
    const entries: TableEntry[] = []
    for (const key of await this.store.list(keys.catalogPrefix(tenant))) {
      if (!key.endsWith('.json')) continue
      const entry = await readJson<TableEntry>(this.store, key)
      if (entry) entries.push(entry)
    }
    return entries.sort((a, b) => a.name.localeCompare(b.name))
  }

  put(entry: TableEntry): Promise<void> {
    return this.lock.run(keys.catalogEntry(entry.tenant, entry.name), () =>
      writeJson(this.store, keys.catalogEntry(entry.tenant, entry.name), entry),
    )
  }

  update(tenant: TenantId, name: string, change: (existing: TableEntry | undefined) => TableEntry | Promise<TableEntry>) {
    const key = keys.catalogEntry(tenant, name)
    return this.lock.run(key, async () => {
      const next = await change(await this.get(tenant, name))
      await writeJson(this.store, key, next)
      return next
    })
  }

  delete(tenant: TenantId, name: string): Promise<boolean> {
    const key = keys.catalogEntry(tenant, name)
    return this.lock.run(key, async () => {
      const existed = (await this.store.size(key)) !== undefined
      await this.store.delete(key)
      return existed
    })
  }
}
