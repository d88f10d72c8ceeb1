import type { TenantId } from '../tenant.ts'

/** A column as the catalog records it: Glue/Athena type names (bigint, double, decimal(p,s), date, ...). */
export type Column = { name: string; type: string }

/** One Parquet file of a table, written by one ingest job. */
export type TablePart = { key: string; rows: number; jobId: string; fileId: string }

/** What made a version: a load in one of the submit's modes, or a rollback to an earlier version. */
export type VersionOperation = 'create' | 'append' | 'replace' | 'rollback'

/**
 * One version of a table: what the table was after one change. Every load and every rollback
 * makes the next version; nothing a version lists is deleted while the version is kept.
 */
export type TableVersion = {
  version: number
  at: string
  operation: VersionOperation
  /** The load's file and job (absent for a rollback). */
  fileId?: string
  fileName?: string
  jobId?: string
  /** A rollback: the version made current again. */
  rolledBackTo?: number
  /** Rows in this version's parts that the version before did not have, and the other way round. */
  rowsAdded: number
  rowsRemoved: number
  rowCount: number
  columns: Column[]
  /** The parts this version reads, by job id (each part's details are in the entry's parts or keptParts). */
  parts: string[]
}

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
  /**
   * The versions kept, oldest first; the last is the current one. Absent in an entry written
   * before versions were kept: it is then one version, its parts as they are (see historyOf).
   */
  versions?: TableVersion[]
  /** Parts an earlier kept version reads that the current one does not: kept until no version needs them. */
  keptParts?: TablePart[]
}

/**
 * The tables a tenant owns: a JSON entry per table in the object store locally, the Glue Data
 * Catalog (a database per tenant) on AWS. Writes are atomic: readers see the old entry or the
 * new one. Every replica of every function may write at once, so no method relies on a lock in
 * one process: changes are read-then-conditional-write, retried on conflict, as Glue does them.
 */
export interface Catalog {
  /**
   * The entry, or undefined. Glue: GetTable (EntityNotFoundException is undefined). With
   * `versions`, its kept versions and the parts only they read are filled in (Glue: the table's
   * versions, GetTableVersions); without, they may be absent.
   */
  get(tenant: TenantId, name: string, options?: { versions?: boolean }): Promise<TableEntry | undefined>
  /**
   * The tenant's entries, by name. Glue: GetTables of the tenant's database, paged by NextToken.
   * Local: kept between calls while the catalog folder is unchanged (every query asks).
   */
  list(tenant: TenantId): Promise<TableEntry[]>
  /**
   * Writes the entry whatever is there (create or replace). Glue: CreateTable, or UpdateTable
   * when it exists (AlreadyExistsException).
   */
  put(entry: TableEntry): Promise<void>
  /**
   * Read-modify-write of one table: `change` gets the current entry (or undefined) and answers
   * the new one, which is written only if the table is still as read; if another writer changed
   * it meanwhile, the entry is read again and **`change` runs again**. `change` is given the entry
   * with its versions (as `get` with `versions`); versions the new entry no longer lists are
   * forgotten (Glue: the new table is written with its old one archived as a version, then
   * BatchDeleteTableVersion of what is no longer kept). So `change` may run more
   * than once and must be safe to: pure, or with effects a rerun repeats harmlessly (capture what
   * it decides in variables the last run overwrites; act on them only after `update` returns).
   * Two updates never lose one another's change, whichever replicas run them. Throwing leaves the
   * entry as it was. Glue: GetTable, then CreateTable (none yet) or UpdateTable with the VersionId
   * read, retried on AlreadyExistsException / ConcurrentModificationException; locally the same
   * with the store's conditional writes (If-None-Match / If-Match). After many conflicts in a
   * row it gives up with an AppError CONFLICT (409).
   */
  update(tenant: TenantId, name: string, change: (existing: TableEntry | undefined) => TableEntry | Promise<TableEntry>): Promise<TableEntry>
  /**
   * Forgets earlier versions of the table (never the current one), and answers the parts no
   * version left reads: the caller deletes them. Glue: BatchDeleteTableVersion of those versions.
   */
  forgetVersions(tenant: TenantId, name: string, versions: number[]): Promise<TablePart[]>
  /** Removes the entry; answers whether there was one. Glue: DeleteTable. */
  delete(tenant: TenantId, name: string): Promise<boolean>
}
