import type { Column, TableEntry } from '../ports/catalog.ts'
import type { Cell } from '../ports/query-runner.ts'
import type { TenantId } from '../tenant.ts'

/**
 * Words that make a read give another answer each time it runs: the clock, randomness, samples,
 * sequences. SQL naming any of them (even as a column name - being wrong that way costs only a
 * run) is never answered from an earlier result.
 */
const VOLATILE =
  /\b(random|setseed|uuid\w*|gen_random_uuid|nextval|currval|now|current_timestamp|get_current_timestamp|transaction_timestamp|current_date|current_time|get_current_time|today|localtimestamp|localtime|current_localtimestamp|current_localtime|sample|tablesample|reservoir|bernoulli)\b/i

/** Whether the same SQL over the same tables always gives the same rows. */
export function isDeterministic(sql: string): boolean {
  return !VOLATILE.test(sql)
}

/** EXPLAIN (and EXPLAIN ANALYZE, which reports how long it ran) after any leading comments. */
const EXPLAIN = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*explain\b/i

/** Whether an earlier result may answer this SQL: deterministic, and not an EXPLAIN (never an earlier run's plan or timing). */
export function isReusable(sql: string): boolean {
  return isDeterministic(sql) && !EXPLAIN.test(sql)
}

/**
 * What a result was read from: every table of the tenant with where its data lives and when it
 * last changed. Tables are immutable Parquet parts, so while this is unchanged so is their data.
 */
export function tablesVersion(tables: TableEntry[]): string {
  return JSON.stringify(tables.map((t) => [t.name, t.updatedAt, t.parts.map((p) => p.key)]).sort())
}

export type ReusableResult = { queryId: string; columns: Column[]; rows: Cell[][] }

type Entry = ReusableResult & { tables: string; bytes: number }

/**
 * Small results of deterministic reads, by tenant and exact SQL text, kept with the version of the
 * tables they were read from: the same SQL over unchanged tables is answered from the earlier
 * result instead of running again (as BigQuery's cached results and Athena's result reuse are).
 * In memory, least recently used first out, within a budget of bytes (of the rows as JSON, plus
 * the SQL text) - a count of cells would let a few cells of huge values past it.
 */
export class ResultReuse {
  private readonly entries = new Map<string, Entry>()
  private bytes = 0

  constructor(private readonly maxBytes = 32 * 2 ** 20) {}

  find(tenant: TenantId, sql: string, tables: string): ReusableResult | undefined {
    const key = keyOf(tenant, sql)
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.tables !== tables) {
      this.drop(key)
      return undefined
    }
    // Most recently used goes last.
    this.entries.delete(key)
    this.entries.set(key, entry)
    return { queryId: entry.queryId, columns: entry.columns, rows: entry.rows }
  }

  /** `rowsBytes`: the size of the rows as JSON, when the caller has it already. */
  remember(tenant: TenantId, sql: string, tables: string, result: ReusableResult, rowsBytes?: number): void {
    if (!isDeterministic(sql)) return
    const bytes = (rowsBytes ?? JSON.stringify(result.rows).length) + sql.length + JSON.stringify(result.columns).length
    if (bytes > this.maxBytes / 10) return
    const key = keyOf(tenant, sql)
    this.drop(key)
    this.entries.set(key, { ...result, tables, bytes })
    this.bytes += bytes
    while (this.bytes > this.maxBytes) this.drop(this.entries.keys().next().value!)
  }

  /** Forgets a tenant's results (its tables changed). */
  forget(tenant: TenantId): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(`${tenant}\n`)) this.drop(key)
  }

  private drop(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.entries.delete(key)
    this.bytes -= entry.bytes
  }
}

const keyOf = (tenant: TenantId, sql: string) => `${tenant}\n${sql}`
