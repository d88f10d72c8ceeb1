import { readJson, writeJson } from '../../json-records.ts'
import { keys } from '../../keys.ts'
import type { Catalog, TableEntry } from '../../ports/catalog.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { TenantId } from '../../tenant.ts'

/** The local catalog: one JSON entry per table in the object store, written atomically. */
export class StoreCatalog implements Catalog {
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
    return writeJson(this.store, keys.catalogEntry(entry.tenant, entry.name), entry)
  }

  delete(tenant: TenantId, name: string): Promise<void> {
    return this.store.delete(keys.catalogEntry(tenant, name))
  }
}
