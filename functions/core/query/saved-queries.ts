import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { readJson, updateJson, writeJson } from '../json-records.ts'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { TenantId } from '../tenant.ts'

/** How a saved query's result is charted (the query page's chart): kept with it, so opening it shows the same picture. */
export type ChartSettings = { kind: 'bar' | 'line' | 'area' | 'scatter'; x: string; y: string[]; series?: string }

/** A query a tenant saved: its name, SQL, what it is for, and its chart. */
export type SavedQuery = {
  savedQueryId: string
  name: string
  sql: string
  description?: string
  chart?: ChartSettings
  createdAt: string
  updatedAt: string
}

export type SavedQueryInput = { name: string; sql: string; description?: string; chart?: ChartSettings }

/** A change: the fields given are set; `description` or `chart` null removes it. */
export type SavedQueryChange = { name?: string; sql?: string; description?: string | null; chart?: ChartSettings | null }

/** The most saved queries one tenant keeps (with 100,000 characters of SQL each at most: a bound on what one tenant stores). */
export const MAX_SAVED_QUERIES = 1000

/** Saved ids sort newest first, as every id here does (newId). */
export function isSavedQueryId(id: string): boolean {
  return /^s_[0-9a-f]{32}$/.test(id)
}

/**
 * Each tenant's saved queries, one JSON record each under `saved-queries/{tenant}/`, in the object
 * store (the data folder locally, S3 in aws mode): they follow the user to any browser. A change is
 * a conditional read-modify-write (updateJson), so two renames at once cannot lose one.
 */
export class SavedQueries {
  constructor(private readonly deps: { store: ObjectStore; now: () => Date; max?: number }) {}

  async list(tenant: TenantId, page: { limit: number; after?: string }): Promise<{ savedQueries: SavedQuery[]; after?: string }> {
    const prefix = keys.savedQueriesPrefix(tenant)
    const listed = await this.deps.store.listPage(prefix, { limit: page.limit, ...(page.after ? { startAfter: keys.savedQuery(tenant, page.after) } : {}) })
    const ids = listed.keys.map((k) => k.slice(prefix.length).replace(/\.json$/, '')).filter(isSavedQueryId)
    const saved = (await Promise.all(ids.map((id) => this.read(tenant, id)))).filter((s): s is SavedQuery => s !== undefined)
    return { savedQueries: saved, ...(listed.more && ids.length ? { after: ids.at(-1)! } : {}) }
  }

  async get(tenant: TenantId, savedQueryId: string): Promise<SavedQuery> {
    const saved = isSavedQueryId(savedQueryId) ? await this.read(tenant, savedQueryId) : undefined
    if (!saved) throw notFound(`Saved query ${savedQueryId}`)
    return saved
  }

  async create(tenant: TenantId, input: SavedQueryInput): Promise<SavedQuery> {
    const max = this.deps.max ?? MAX_SAVED_QUERIES
    const held = await this.deps.store.listPage(keys.savedQueriesPrefix(tenant), { limit: max })
    if (held.keys.length >= max) {
      throw new AppError('CONFLICT', `You have ${max.toLocaleString('en-US')} saved queries, the most one tenant keeps; delete some you no longer need first.`)
    }
    const at = this.deps.now().toISOString()
    const saved: SavedQuery = { savedQueryId: newId('s'), ...clean(input), createdAt: at, updatedAt: at }
    await writeJson(this.deps.store, keys.savedQuery(tenant, saved.savedQueryId), saved, { ifNoneMatch: '*' })
    return saved
  }

  async update(tenant: TenantId, savedQueryId: string, change: SavedQueryChange): Promise<SavedQuery> {
    await this.get(tenant, savedQueryId)
    return updateJson<SavedQuery>(this.deps.store, keys.savedQuery(tenant, savedQueryId), (current) => {
      // Deleted between the read above and this write: no record comes back to life.
      if (!current) throw notFound(`Saved query ${savedQueryId}`)
      const next: SavedQuery = { ...current, updatedAt: this.deps.now().toISOString() }
      if (change.name !== undefined) next.name = change.name.trim()
      if (change.sql !== undefined) next.sql = change.sql
      if (change.description === null) delete next.description
      else if (change.description !== undefined) next.description = change.description
      if (change.chart === null) delete next.chart
      else if (change.chart !== undefined) next.chart = change.chart
      return next
    })
  }

  async remove(tenant: TenantId, savedQueryId: string): Promise<void> {
    await this.get(tenant, savedQueryId)
    await this.deps.store.delete(keys.savedQuery(tenant, savedQueryId))
  }

  private async read(tenant: TenantId, savedQueryId: string): Promise<SavedQuery | undefined> {
    try {
      const saved = await readJson<SavedQuery>(this.deps.store, keys.savedQuery(tenant, savedQueryId))
      return saved?.savedQueryId === savedQueryId ? saved : undefined
    } catch {
      // A record that is not JSON (cut short by a crash): as if absent.
      return undefined
    }
  }
}

function clean(input: SavedQueryInput): SavedQueryInput {
  return {
    name: input.name.trim(),
    sql: input.sql,
    ...(input.description !== undefined && input.description !== '' ? { description: input.description } : {}),
    ...(input.chart ? { chart: input.chart } : {}),
  }
}
