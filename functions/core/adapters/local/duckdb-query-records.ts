import { z } from '../../zod.ts'
import { keys } from '../../keys.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { QueryRecord } from '../../ports/query-engine.ts'
import { tenantId, type TenantId } from '../../tenant.ts'

const StoredRecord = z.object({
  queryId: z.string(),
  tenant: z.string(),
  sql: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED']),
  submittedAt: z.string(),
  endedAt: z.string().optional(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  rowCount: z.number().optional(),
  error: z
    .object({ code: z.string(), message: z.string(), line: z.number().optional(), column: z.number().optional() })
    .optional(),
})

/** Query ids become object keys and file paths: nothing that could leave the tenant's folder. */
export function isQueryId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id)
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

  /** Every tenant's records (for start-up recovery); unreadable ones are skipped. */
  async *all(): AsyncGenerator<QueryRecord> {
    for (const key of await this.store.list(keys.queriesPrefix())) {
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
