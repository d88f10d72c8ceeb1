import { z } from '../../zod.ts'
import { keys } from '../../keys.ts'
import type { ObjectStore } from '../../ports/object-store.ts'
import type { QueryRecord } from '../../ports/query-engine.ts'
import { tenantId, type TenantId } from '../../tenant.ts'
import type { Column } from '../../ports/catalog.ts'
import type { Cell } from '../../ports/query-engine.ts'
import { stringify } from 'csv-stringify/sync'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

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
  reusedFrom: z.optional(z.string()),
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

  async remove(tenant: TenantId, queryId: string): Promise<void> {
    await this.store.delete(keys.query(tenant, queryId))
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

export type SmallResult = { columns: Column[]; rows: Cell[][] }

/**
 * Results of at most one page, kept as JSON beside where a Parquet result would be. Written by
 * path, as the engine writes its Parquet and CSV results, straight into the query's own result
 * folder: no temp file and rename through the store. A partial file is never read: it is
 * written before the record says SUCCEEDED and read only for a SUCCEEDED record (a failed
 * write fails the query, whose result folder is then removed).
 */
export class SmallResults {
  /**
   * The latest ones stay in memory too, within a budget of bytes (of their JSON): the page read
   * right after the query never hits the disk, and a few big results cannot fill the heap.
   */
  private readonly recent = new Map<string, { result: SmallResult; bytes: number }>()
  private bytes = 0

  constructor(
    private readonly dataDir: string,
    private readonly maxCachedBytes = 32 * 2 ** 20,
  ) {}

  /** What the results kept in memory weigh, as JSON. */
  get cachedBytes(): number {
    return this.bytes
  }

  /**
   * Writes the result and answers how many bytes it took. `rowsJson` is `{"rows":[...]}` when the
   * caller has it already (the sandbox sends it so), so a result is not turned into JSON twice.
   */
  async save(tenant: TenantId, queryId: string, result: SmallResult, rowsJson?: string): Promise<number> {
    // Like the record, cheap to lose (the query can run again): no fsync on the query path.
    const path = this.path(tenant, queryId)
    const json = rowsJson?.startsWith('{') ? `{"columns":${JSON.stringify(result.columns)},${rowsJson.slice(1)}` : JSON.stringify(result)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, json)
    const key = `${tenant}/${queryId}`
    this.forget(key)
    const written = Buffer.byteLength(json)
    if (json.length > this.maxCachedBytes / 4) return written
    this.recent.set(key, { result, bytes: json.length })
    this.bytes += json.length
    while (this.bytes > this.maxCachedBytes || this.recent.size > 200) this.forget(this.recent.keys().next().value!)
    return written
  }

  async load(tenant: TenantId, queryId: string): Promise<SmallResult | undefined> {
    const cached = this.recent.get(`${tenant}/${queryId}`)?.result
    if (cached) return cached
    const text = await readFile(this.path(tenant, queryId), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined
      throw err
    })
    return text === undefined ? undefined : (JSON.parse(text) as SmallResult)
  }

  private forget(key: string): void {
    const entry = this.recent.get(key)
    if (!entry) return
    this.recent.delete(key)
    this.bytes -= entry.bytes
  }

  private path(tenant: TenantId, queryId: string): string {
    return join(this.dataDir, keys.resultJson(tenant, queryId))
  }
}

/** A small result as CSV with a header row; nested values as JSON. */
export function smallResultCsv(result: SmallResult): string {
  const cell = (value: Cell) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value)
  return stringify([result.columns.map((c) => c.name), ...result.rows.map((row) => row.map(cell))])
}
