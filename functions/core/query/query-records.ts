import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { Column } from '../ports/catalog.ts'
import type { QueryError } from '../ports/query-runner.ts'
import { tenantId, type TenantId } from '../tenant.ts'
import { z } from '../zod.ts'

export type QueryStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'

/** What csvlake keeps of a query; persisted so a page or an export survives the process. */
export type QueryRecord = {
  /** csvlake's id, which the API answers. */
  queryId: string
  tenant: TenantId
  sql: string
  status: QueryStatus
  submittedAt: string
  endedAt?: string
  columns?: Column[]
  rowCount?: number
  error?: QueryError
  /** The engine's id of the execution (Athena's QueryExecutionId); absent when no SQL ran. */
  executionId?: string
  /** Answered from the result of this earlier query (the same SQL over the same tables); no SQL ran. */
  reusedFrom?: string
  /** The engine's own figures: bytes it scanned (what Athena bills) and its running time. */
  scannedBytes?: number
  engineMs?: number
}

const StoredRecord = z.object({
  queryId: z.string(),
  tenant: z.string(),
  sql: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
  submittedAt: z.string(),
  endedAt: z.optional(z.string()),
  columns: z.optional(z.array(z.object({ name: z.string(), type: z.string() }))),
  rowCount: z.optional(z.number()),
  error: z.optional(
    z.object({ code: z.string(), message: z.string(), line: z.optional(z.number()), column: z.optional(z.number()) }),
  ),
  executionId: z.optional(z.string()),
  reusedFrom: z.optional(z.string()),
  scannedBytes: z.optional(z.number()),
  engineMs: z.optional(z.number()),
})

/** Query ids become object keys: nothing that could leave the tenant's folder. */
export function isQueryId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id)
}

/**
 * The engine's id of a record's execution. Records from before engines assigned their own ids
 * ran under the query's id.
 */
export function executionOf(record: QueryRecord): string {
  return record.executionId ?? record.queryId
}

/** Query records as JSON in the object store, so results outlive the process that ran them. */
export class QueryRecords {
  constructor(private readonly store: ObjectStore) {}

  async save(record: QueryRecord): Promise<void> {
    // A query record is cheap to lose (the query can run again): no fsync on the query path.
    await this.store.putBytes(keys.query(record.tenant, record.queryId), JSON.stringify(record), { durable: false })
  }

  async exists(tenant: TenantId, queryId: string): Promise<boolean> {
    return (await this.store.size(keys.query(tenant, queryId))) !== undefined
  }

  async load(tenant: TenantId, queryId: string): Promise<QueryRecord | undefined> {
    const record = await this.read(keys.query(tenant, queryId))
    return record?.tenant === tenant && record.queryId === queryId ? record : undefined
  }

  async remove(tenant: TenantId, queryId: string): Promise<void> {
    await this.store.delete(keys.query(tenant, queryId))
  }

  /** A tenant's records, newest first (query ids sort so), a page at a time; unreadable ones are skipped. */
  async list(tenant: TenantId, page: { limit: number; after?: string }): Promise<{ records: QueryRecord[]; after?: string }> {
    const prefix = keys.tenantQueries(tenant)
    const listed = await this.store.listPage(prefix, { limit: page.limit, ...(page.after ? { startAfter: keys.query(tenant, page.after) } : {}) })
    const ids = listed.keys.filter((k) => k.endsWith('.json')).map((k) => k.slice(prefix.length, -'.json'.length)).filter(isQueryId)
    const records = (await Promise.all(ids.map((id) => this.load(tenant, id)))).filter((r): r is QueryRecord => r !== undefined)
    return { records, ...(listed.more && ids.length ? { after: ids.at(-1)! } : {}) }
  }

  /** Every tenant's records (for expiry); unreadable ones are skipped. */
  async *all(): AsyncGenerator<QueryRecord> {
    for await (const key of this.store.keys(keys.queriesPrefix())) {
      const record = key.endsWith('.json') ? await this.read(key) : undefined
      if (record && key === keys.query(record.tenant, record.queryId)) yield record
    }
  }

  private async read(key: string): Promise<QueryRecord | undefined> {
    const bytes = await this.store.getBytes(key)
    if (bytes === undefined) return undefined
    try {
      const parsed = StoredRecord.parse(JSON.parse(Buffer.from(bytes).toString('utf8')))
      return { ...parsed, tenant: tenantId(parsed.tenant) }
    } catch {
      return undefined
    }
  }
}
