import { stringify } from 'csv-stringify/sync'
import { keys } from '../keys.ts'
import type { ObjectStore } from '../ports/object-store.ts'
import type { Column } from '../ports/catalog.ts'
import type { Cell } from '../ports/query-runner.ts'
import type { TenantId } from '../tenant.ts'

export type SmallResult = { columns: Column[]; rows: Cell[][] }

/**
 * Results of at most one page, kept by csvlake itself as JSON at results/{tenant}/{queryId}/
 * result.json, whatever engine ran them: the first page and every later read of a small result
 * (the grid, an export, a reused answer) cost no engine call. A partial object is never read:
 * it is written before the record says SUCCEEDED and read only for a SUCCEEDED record.
 */
export class SmallResults {
  /**
   * The latest ones stay in memory too, within a budget of bytes (of their JSON): the page read
   * right after the query never reads the store, and a few big results cannot fill the heap.
   */
  private readonly recent = new Map<string, { result: SmallResult; bytes: number }>()
  private bytes = 0

  constructor(
    private readonly store: ObjectStore,
    private readonly maxCachedBytes = 32 * 2 ** 20,
  ) {}

  /** What the results kept in memory weigh, as JSON. */
  get cachedBytes(): number {
    return this.bytes
  }

  /**
   * Writes the result and answers how many bytes it took. `rowsJson` is `{"rows":[...]}` when the
   * caller has it already (the local engine sends it so), so a result is not turned into JSON twice.
   */
  async save(tenant: TenantId, queryId: string, result: SmallResult, rowsJson?: string): Promise<number> {
    const json = rowsJson?.startsWith('{') ? `{"columns":${JSON.stringify(result.columns)},${rowsJson.slice(1)}` : JSON.stringify(result)
    // Like the record, cheap to lose (the query can run again): no fsync on the query path.
    await this.store.putBytes(keys.resultJson(tenant, queryId), json, { durable: false })
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
    const bytes = await this.store.getBytes(keys.resultJson(tenant, queryId))
    return bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as SmallResult)
  }

  /** Removes it; answers the bytes it took. */
  async remove(tenant: TenantId, queryId: string): Promise<number> {
    this.forget(`${tenant}/${queryId}`)
    const key = keys.resultJson(tenant, queryId)
    const bytes = (await this.store.size(key)) ?? 0
    if (bytes > 0) await this.store.delete(key)
    return bytes
  }

  private forget(key: string): void {
    const entry = this.recent.get(key)
    if (!entry) return
    this.recent.delete(key)
    this.bytes -= entry.bytes
  }
}

/** A small result as CSV with a header row; nested values as JSON. */
export function smallResultCsv(result: SmallResult): string {
  const cell = (value: Cell) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value)
  return stringify([result.columns.map((c) => c.name), ...result.rows.map((row) => row.map(cell))])
}
