import { AppError, notFound } from '../../errors.ts'
import { historyOf, withoutVersions } from '../../ingest/table-versions.ts'
import type { Catalog, TableEntry, TablePart } from '../../ports/catalog.ts'
import { tenantDatabase, type TenantId } from '../../tenant.ts'
import type { GlueApi, GlueTableInput } from './glue-api.ts'
import { historyFromGlue, isVersionTable, versionTableName, toEntry, toGlueVersion, toTableInput, type GlueVersion } from './glue-table-format.ts'

/** How often a change is tried before the conflict is answered (409). */
const UPDATE_ATTEMPTS = 12

/**
 * What a write can meet when another writer got there first: the table changed since it was read
 * (ConcurrentModificationException), was created meanwhile (AlreadyExistsException) or dropped
 * meanwhile (EntityNotFoundException on UpdateTable). Each is answered by reading again.
 */
const RACES = new Set(['ConcurrentModificationException', 'AlreadyExistsException', 'EntityNotFoundException'])

export type GlueCatalogDeps = {
  /**
   * The Glue client for one tenant's calls: in aws mode one whose credentials reach only that
   * tenant's database; in tests the same client for every tenant.
   */
  glueFor: (tenant: TenantId) => GlueApi
  /** The bucket the tables' data lives in (their Location is `s3://{bucket}/{entry.location}`). */
  bucket: string
  /** The tenant's Glue database; distinct tenants must get distinct names. */
  databaseOf?: (tenant: TenantId) => string
}

/**
 * The Catalog on the Glue Data Catalog: a database per tenant, created when its first table is;
 * a table per entry, in the format the ingest state machine writes (`glue-table-format.ts`).
 * `update` is GetTable, then UpdateTable with the VersionId read (CreateTable when there was
 * none); on ConcurrentModificationException / AlreadyExistsException it reads and runs `change`
 * again, with a short random wait, and answers CONFLICT after UPDATE_ATTEMPTS. Throttling and
 * service faults are left to the SDK's retry strategy: they pass through here unchanged.
 * Over FakeGlue (`../fake/fake-glue.ts`) it is the AWS-like fake of the Catalog port.
 */
export class GlueCatalog implements Catalog {
  private readonly databaseOf: (tenant: TenantId) => string

  constructor(private readonly deps: GlueCatalogDeps) {
    this.databaseOf = deps.databaseOf ?? ((tenant) => tenantDatabase(tenant))
  }

  async get(tenant: TenantId, name: string, options: { versions?: boolean } = {}): Promise<TableEntry | undefined> {
    return (await this.read(this.deps.glueFor(tenant), tenant, name, options.versions === true))?.entry
  }

  async list(tenant: TenantId): Promise<TableEntry[]> {
    const glue = this.deps.glueFor(tenant)
    const DatabaseName = this.databaseOf(tenant)
    const entries: TableEntry[] = []
    let token: string | undefined
    do {
      // A tenant whose database is not made yet has no tables.
      const page = await glue.getTables({ DatabaseName, ...(token ? { NextToken: token } : {}) }).catch(notFoundAs(undefined))
      if (!page) return []
      // A version's hidden table (Athena's time travel) is not one of the tenant's tables.
      for (const table of page.TableList ?? []) if (!isVersionTable(table.Name ?? '')) entries.push(toEntry(tenant, table.Name ?? '', table))
      token = page.NextToken
    } while (token)
    return entries.sort((a, b) => a.name.localeCompare(b.name))
  }

  async put(entry: TableEntry): Promise<void> {
    await this.update(entry.tenant, entry.name, () => entry)
  }

  async update(tenant: TenantId, name: string, change: (existing: TableEntry | undefined) => TableEntry | Promise<TableEntry>): Promise<TableEntry> {
    const glue = this.deps.glueFor(tenant)
    const DatabaseName = this.databaseOf(tenant)
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(glue, tenant, name, true)
      const next = await change(current && structuredClone(current.entry))
      const TableInput = toTableInput(next, this.deps.bucket)
      try {
        // Glue archives the table as it was: that version is the history (SkipArchive stays false).
        if (current) await glue.updateTable({ DatabaseName, TableInput, VersionId: current.versionId, SkipArchive: false })
        else await createTable(glue, DatabaseName, TableInput)
      } catch (err) {
        if (!RACES.has(errorName(err) ?? '')) throw err
        if (attempt >= UPDATE_ATTEMPTS) {
          throw new AppError('CONFLICT', `The table ${name} is being changed by other jobs at the same time; try again.`, {}, { cause: err })
        }
        // Random, so writers that collided do not collide again in step.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 100)))
        continue
      }
      // What the new entry no longer keeps goes from Glue's versions too (the retention of a rollback).
      if (current) {
        const kept = new Set(historyOf(next).map((v) => v.version))
        const gone = historyOf(current.entry).map((v) => v.version).filter((n) => !kept.has(n))
        await this.forgetGlueVersions(glue, DatabaseName, current.entry, gone, current.glueIds)
      }
      return next
    }
  }

  async forgetVersions(tenant: TenantId, name: string, versions: number[]): Promise<TablePart[]> {
    const glue = this.deps.glueFor(tenant)
    const current = await this.read(glue, tenant, name, true)
    if (!current) throw notFound(`The table ${name}`)
    const { entry, dropParts } = withoutVersions(current.entry, versions)
    const kept = new Set(historyOf(entry).map((v) => v.version))
    const gone = historyOf(current.entry).map((v) => v.version).filter((n) => !kept.has(n))
    await this.forgetGlueVersions(glue, this.databaseOf(tenant), current.entry, gone, current.glueIds)
    return dropParts
  }

  /** The Glue versions that hold csvlake versions `gone`, and the hidden tables Athena read them through (glue-table-format.ts). */
  private async forgetGlueVersions(glue: GlueApi, DatabaseName: string, entry: TableEntry, gone: number[], glueIds: Map<number, string[]>): Promise<void> {
    await this.deleteGlueVersions(glue, DatabaseName, entry.name, gone.flatMap((n) => glueIds.get(n) ?? []))
    for (const n of gone) await glue.deleteTable({ DatabaseName, Name: versionTableName(entry, n) }).catch(notFoundAs(undefined))
  }

  /** BatchDeleteTableVersion, 100 at a time; a version already gone is no error, any other is. */
  private async deleteGlueVersions(glue: GlueApi, DatabaseName: string, TableName: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 100) {
      const { Errors = [] } = await glue.batchDeleteTableVersion({ DatabaseName, TableName, VersionIds: ids.slice(i, i + 100) })
      const failed = Errors.filter((e) => e.ErrorDetail?.ErrorCode !== 'EntityNotFoundException')
      if (failed.length > 0) throw new Error(`Glue did not delete versions ${failed.map((e) => e.VersionId).join(', ')} of ${TableName}: ${failed[0]!.ErrorDetail?.ErrorMessage ?? 'no reason given'}`)
    }
  }

  /** DeleteTable; then the hidden tables Athena read its versions through (glue-table-format.ts), which have no data of their own. */
  async delete(tenant: TenantId, name: string): Promise<boolean> {
    const glue = this.deps.glueFor(tenant)
    const DatabaseName = this.databaseOf(tenant)
    const deleted = await glue.deleteTable({ DatabaseName, Name: name }).then(() => true, notFoundAs(false))
    let token: string | undefined
    do {
      const page = await glue.getTables({ DatabaseName, ...(token ? { NextToken: token } : {}) }).catch(notFoundAs(undefined))
      for (const t of page?.TableList ?? []) {
        if (t.Name?.startsWith(`${name}__v`) && isVersionTable(t.Name)) await glue.deleteTable({ DatabaseName, Name: t.Name }).catch(notFoundAs(undefined))
      }
      token = page?.NextToken
    } while (token)
    return deleted
  }

  /**
   * The entry and the VersionId an update must name; undefined when the table or its database is
   * missing. With `versions`, the entry's history from the table's Glue versions, and which Glue
   * version ids hold each csvlake version (what BatchDeleteTableVersion needs).
   */
  private async read(glue: GlueApi, tenant: TenantId, name: string, versions: boolean): Promise<{ entry: TableEntry; versionId: string; glueIds: Map<number, string[]> } | undefined> {
    const DatabaseName = this.databaseOf(tenant)
    const got = await glue.getTable({ DatabaseName, Name: name }).catch(notFoundAs(undefined))
    if (!got?.Table) return undefined
    // Without it UpdateTable would overwrite whatever another writer put there meanwhile.
    if (got.Table.VersionId === undefined) throw new Error(`Glue answered the table ${name} without a VersionId; it cannot be updated safely`)
    const entry = toEntry(tenant, name, got.Table)
    const glueIds = new Map<number, string[]>()
    if (!versions) return { entry, versionId: got.Table.VersionId, glueIds }
    const current = toGlueVersion(tenant, name, got.Table.VersionId, got.Table)
    const all: GlueVersion[] = []
    let token: string | undefined
    do {
      const page = await glue.getTableVersions({ DatabaseName, TableName: name, ...(token ? { NextToken: token } : {}) }).catch(notFoundAs(undefined))
      for (const v of page?.TableVersions ?? []) {
        if (!v.Table || v.VersionId === undefined || v.VersionId === got.Table.VersionId) continue
        const version = toGlueVersion(tenant, name, v.VersionId, v.Table)
        all.push(version)
        if (version.record) glueIds.set(version.record.version, [...(glueIds.get(version.record.version) ?? []), v.VersionId])
      }
      token = page?.NextToken
    } while (token)
    const history = historyFromGlue(current, all)
    return { entry: { ...entry, versions: history.versions, keptParts: history.keptParts }, versionId: got.Table.VersionId, glueIds }
  }
}

/** CreateTable, creating the tenant's database first when it has none (another writer may make it at the same time). */
async function createTable(glue: GlueApi, DatabaseName: string, TableInput: GlueTableInput): Promise<void> {
  try {
    await glue.createTable({ DatabaseName, TableInput })
  } catch (err) {
    if (errorName(err) !== 'EntityNotFoundException') throw err
    await glue.createDatabase({ DatabaseInput: { Name: DatabaseName } }).catch(unless('AlreadyExistsException'))
    await glue.createTable({ DatabaseName, TableInput })
  }
}

/** The SDK throws each Glue error with `name` set to its exception. */
function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined
}

function notFoundAs<T>(answer: T): (err: unknown) => T {
  return (err) => {
    if (errorName(err) === 'EntityNotFoundException') return answer
    throw err
  }
}

function unless(name: string): (err: unknown) => void {
  return (err) => {
    if (errorName(err) !== name) throw err
  }
}
