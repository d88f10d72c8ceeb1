import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { mkdir } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { sandboxFolders } from './duckdb-sandbox-folders.ts'
import { duckdbTypeOf } from './duckdb-glue-types.ts'
import type { TableEntry } from '../../ports/catalog.ts'
import { parseSqlError } from './duckdb-sql-errors.ts'
import type { TenantId } from '../../tenant.ts'
import { sqlIdentifier, sqlString } from './duckdb-sql-text.ts'

export type SandboxSettings = {
  dataDir: string
  tenant: TenantId
  memoryLimit: string
  threads: number
  /** The most the instance may spill to its temp folder; past it a query fails instead of filling the disk. */
  maxTempBytes: number
  /** The folder this instance spills to (one per sandbox process, removed when the process ends). */
  tempDir?: string
}

/**
 * A tenant's own in-memory DuckDB instance. DuckDB keeps file access, memory and threads per
 * instance, so the sandbox is the instance: external access off except the tenant's own
 * folders, extensions neither installed nor loaded, a memory limit, spilling to the tenant's
 * temp folder, and the configuration locked so SQL cannot loosen any of it. Its catalog holds
 * one view per table of the tenant and nothing else.
 */
export class TenantSandbox {
  /** View name -> the catalog version it was built from ('' = rebuild). */
  private readonly views = new Map<string, string>()
  private fingerprint: string | undefined
  private syncing: Promise<void> = Promise.resolve()

  private constructor(
    readonly tenant: TenantId,
    private readonly dataDir: string,
    private readonly instance: DuckDBInstance,
    private readonly admin: DuckDBConnection,
  ) {}

  static async open(settings: SandboxSettings): Promise<TenantSandbox> {
    const folders = { ...sandboxFolders(settings.dataDir, settings.tenant), ...(settings.tempDir ? { temp: settings.tempDir } : {}) }
    await Promise.all(Object.values(folders).map((dir) => mkdir(dir, { recursive: true })))
    const instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      allow_unsigned_extensions: 'false',
      memory_limit: settings.memoryLimit,
      threads: String(settings.threads),
      temp_directory: folders.temp,
      max_temp_directory_size: `${settings.maxTempBytes} bytes`,
    })
    let admin: DuckDBConnection | undefined
    try {
      admin = await instance.connect()
      // allowed_directories cannot be passed at creation (a list), and cannot change once
      // external access is off; the lock comes last so nothing changes after it.
      const allowed = [folders.lake, folders.results].map((d) => sqlString(d.endsWith(sep) ? d : d + sep))
      await admin.run(`SET allowed_directories = [${allowed.join(', ')}]`)
      // GLOBAL: a plain SET lasts for this admin connection only, and every query runs on a
      // connection of its own, so each one read and parsed the Parquet footers again.
      await admin.run('SET GLOBAL parquet_metadata_cache = true')
      await admin.run('SET enable_external_access = false')
      await admin.run('SET lock_configuration = true')
      return new TenantSandbox(settings.tenant, settings.dataDir, instance, admin)
    } catch (err) {
      admin?.closeSync()
      instance.closeSync()
      throw err
    }
  }

  connect(): Promise<DuckDBConnection> {
    return this.instance.connect()
  }

  /** Brings the views in line with the catalog; cheap when nothing changed. One sync at a time. */
  syncViews(entries: TableEntry[]): Promise<void> {
    const run = this.syncing.then(() => this.applyViews(entries.filter((e) => e.tenant === this.tenant)))
    this.syncing = run.catch(() => undefined)
    return run
  }

  /** Rebuilds every view at the next sync. */
  invalidate(): void {
    this.fingerprint = undefined
    for (const name of this.views.keys()) this.views.set(name, '')
  }

  close(): void {
    this.admin.closeSync()
    this.instance.closeSync()
  }

  private async applyViews(entries: TableEntry[]): Promise<void> {
    const fingerprint = JSON.stringify(entries.map((e) => [e.name, e.updatedAt]).sort())
    if (fingerprint === this.fingerprint) return
    const wanted = new Set(entries.map((e) => e.name))
    for (const name of [...this.views.keys()]) {
      if (wanted.has(name)) continue
      await this.admin.run(`DROP VIEW IF EXISTS ${viewName(name)}`)
      this.views.delete(name)
    }
    for (const entry of entries) {
      const version = JSON.stringify([entry.updatedAt, entry.parts.map((p) => p.key), entry.columns])
      if (this.views.get(entry.name) === version) continue
      await this.createView(entry)
      this.views.set(entry.name, version)
    }
    this.fingerprint = fingerprint
  }

  private async createView(entry: TableEntry): Promise<void> {
    const [schema] = schemaOf(entry.name)
    if (schema) await this.admin.run(`CREATE SCHEMA IF NOT EXISTS ${sqlIdentifier(schema)}`)
    const view = `CREATE OR REPLACE VIEW ${viewName(entry.name)} AS `
    try {
      await this.admin.run(view + this.viewQuery(entry))
    } catch (err) {
      // A table whose files cannot be read must not stop the tenant's other tables: its view
      // fails when used, saying why.
      const reason = parseSqlError(err instanceof Error ? err.message : String(err)).message
      const message = `The table ${entry.name} cannot be read right now: ${reason}`
      await this.admin.run(`${view}SELECT error(${sqlString(message)}) AS ${sqlIdentifier('error')}`)
    }
  }

  private viewQuery(entry: TableEntry): string {
    if (entry.parts.length > 0) {
      const files = entry.parts.map((p) => sqlString(join(this.dataDir, p.key)))
      // Parts live under ingest_job={jobId}/ (as Athena's partition projection reads them): not a column here.
      return `SELECT * FROM read_parquet([${files.join(', ')}], hive_partitioning = false)`
    }
    // No data yet: the right columns, no rows.
    const columns = entry.columns.map((c) => `CAST(NULL AS ${duckdbTypeOf(c.type)}) AS ${sqlIdentifier(c.name)}`)
    return `SELECT ${columns.length > 0 ? columns.join(', ') : `NULL AS ${sqlIdentifier('empty')}`} WHERE false`
  }
}

/**
 * An entry named `schema.table` is an earlier version of a table (time travel, RunOptions): its
 * view lives in that schema (`v3.orders`), so the SQL rewritten to it still calls it `orders`.
 * Table names have no dots, so the two never meet.
 */
function schemaOf(name: string): [string | undefined, string] {
  const dot = name.indexOf('.')
  return dot < 0 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)]
}

function viewName(name: string): string {
  const [schema, table] = schemaOf(name)
  return schema ? `${sqlIdentifier(schema)}.${sqlIdentifier(table)}` : sqlIdentifier(table)
}
