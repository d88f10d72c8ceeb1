import type { TenantId } from '../tenant.ts'

/** A column as the catalog records it: Glue/Athena type names (bigint, double, decimal(p,s), date, ...). */
export type Column = { name: string; type: string }

/** One Parquet file of a table, written by one ingest job. */
export type TablePart = { key: string; rows: number; jobId: string; fileId: string }

export type TableEntry = {
  tenant: TenantId
  name: string
  columns: Column[]
  /** The folder that holds the table's data, as Glue names a table by its folder. */
  location: string
  format: 'parquet'
  parts: TablePart[]
  rowCount: number
  sources: { fileId: string; fileName: string; jobId: string; mode: string; rows: number; at: string }[]
  createdAt: string
  updatedAt: string
}

/** The tables a tenant owns. Writes are atomic: readers see the old entry or the new one. */
export interface Catalog {
  get(tenant: TenantId, name: string): Promise<TableEntry | undefined>
  list(tenant: TenantId): Promise<TableEntry[]>
  put(entry: TableEntry): Promise<void>
  /**
   * Read-modify-write of one table, never interleaved with another change to it: `change` gets
   * the current entry (or undefined) and answers the new one. Throwing leaves it as it was.
   */
  update(tenant: TenantId, name: string, change: (existing: TableEntry | undefined) => TableEntry | Promise<TableEntry>): Promise<TableEntry>
  /** Removes the entry; answers whether there was one. */
  delete(tenant: TenantId, name: string): Promise<boolean>
}
