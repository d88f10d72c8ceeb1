import { AppError, notFound } from '../../errors.ts'
import { withoutVersions } from '../../ingest/table-versions.ts'
import { readJson, updateJson } from '../../json-records.ts'
import { KeyedLock } from '../../keyed-lock.ts'
import { keys } from '../../keys.ts'
import type { Catalog, TableEntry, TablePart } from '../../ports/catalog.ts'
import { PreconditionFailed, type ObjectStore } from '../../ports/object-store.ts'
import type { TenantId } from '../../tenant.ts'

/** How long after a change the folder's mtime is not trusted to tell the next one. */
const SETTLE_MS = 100
/** How often a delete reads again because the entry changed under it, before it answers the conflict. */
const DELETE_ATTEMPTS = 12

/**
 * The local catalog: one JSON entry per table in the object store. Every change is a read, then
 * a conditional write (If-Match the etag read, or If-None-Match for a new table), retried on
 * conflict: so replicas (processes, or functions scaled out over one bucket) sharing the store
 * never lose one another's change. Within this process, changes to one table also take turns,
 * so they do not conflict with each other at all.
 */
export class StoreCatalog implements Catalog {
  private readonly turns = new KeyedLock()
  private readonly listed = new Map<TenantId, { version: number; entries: TableEntry[] }>()

  /**
   * `version` tells when a tenant's entries may have changed (the folder's mtime locally); without
   * it the list is read every time.
   */
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
    const found: string[] = []
    for await (const key of this.store.keys(keys.catalogPrefix(tenant))) if (key.endsWith('.json')) found.push(key)
    const entries = await Promise.all(found.map((key) => readJson<TableEntry>(this.store, key)))
    return entries.filter((e): e is TableEntry => e !== undefined).sort((a, b) => a.name.localeCompare(b.name))
  }

  async put(entry: TableEntry): Promise<void> {
    await this.update(entry.tenant, entry.name, () => entry)
  }

  async update(tenant: TenantId, name: string, change: (existing: TableEntry | undefined) => TableEntry | Promise<TableEntry>): Promise<TableEntry> {
    const key = keys.catalogEntry(tenant, name)
    this.listed.delete(tenant)
    try {
      return await this.turns.run(key, () => updateJson<TableEntry>(this.store, key, change))
    } catch (err) {
      if (err instanceof PreconditionFailed) {
        throw new AppError('CONFLICT', `The table ${name} is being changed by other jobs at the same time; try again.`, {}, { cause: err })
      }
      throw err
    } finally {
      this.listed.delete(tenant)
    }
  }

  /** The entry is rewritten without those versions (its keptParts with it). */
  async forgetVersions(tenant: TenantId, name: string, versions: number[]): Promise<TablePart[]> {
    let dropParts: TablePart[] = []
    await this.update(tenant, name, (existing) => {
      if (!existing) throw notFound(`The table ${name}`)
      const change = withoutVersions(existing, versions)
      dropParts = change.dropParts
      return change.entry
    })
    return dropParts
  }

  /**
   * Removes the entry read, with a conditional delete: an update another replica writes in
   * between makes it read again and remove that one. An update that read before the delete
   * cannot write back the entry it read (its If-Match finds nothing): it runs `change` again on no
   * entry, which decides - an append then fails NOT_FOUND, a create or replace makes a new table.
   */
  delete(tenant: TenantId, name: string): Promise<boolean> {
    this.listed.delete(tenant)
    const key = keys.catalogEntry(tenant, name)
    return this.turns.run(key, async () => {
      try {
        for (let attempt = 1; ; attempt++) {
          const current = await this.store.getBytesWithTag(key)
          if (!current) return false
          try {
            await this.store.delete(key, { ifMatch: current.etag })
            return true
          } catch (err) {
            if (!(err instanceof PreconditionFailed) || attempt >= DELETE_ATTEMPTS) throw err
          }
        }
      } finally {
        this.listed.delete(tenant)
      }
    })
  }
}
