import { AppError } from '../../errors.ts'
import type { Catalog, TableEntry } from '../../ports/catalog.ts'
import { tenantDatabase, type TenantId } from '../../tenant.ts'
import type { GlueApi, GlueTableInput } from './glue-api.ts'
import { toEntry, toTableInput } from './glue-table-format.ts'

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

  async get(tenant: TenantId, name: string): Promise<TableEntry | undefined> {
    return (await this.read(this.deps.glueFor(tenant), tenant, name))?.entry
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
      for (const table of page.TableList ?? []) entries.push(toEntry(tenant, table.Name ?? '', table))
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
      const current = await this.read(glue, tenant, name)
      const next = await change(current && structuredClone(current.entry))
      const TableInput = toTableInput(next, this.deps.bucket)
      try {
        // SkipArchive: csvlake keeps no use for Glue's old table versions, which count against a quota.
        if (current) await glue.updateTable({ DatabaseName, TableInput, VersionId: current.versionId, SkipArchive: true })
        else await createTable(glue, DatabaseName, TableInput)
        return next
      } catch (err) {
        if (!RACES.has(errorName(err) ?? '')) throw err
        if (attempt >= UPDATE_ATTEMPTS) {
          throw new AppError('CONFLICT', `The table ${name} is being changed by other jobs at the same time; try again.`, {}, { cause: err })
        }
        // Random, so writers that collided do not collide again in step.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 100)))
      }
    }
  }

  async delete(tenant: TenantId, name: string): Promise<boolean> {
    return this.deps.glueFor(tenant).deleteTable({ DatabaseName: this.databaseOf(tenant), Name: name }).then(() => true, notFoundAs(false))
  }

  /** The entry and the VersionId an update must name; undefined when the table or its database is missing. */
  private async read(glue: GlueApi, tenant: TenantId, name: string): Promise<{ entry: TableEntry; versionId: string } | undefined> {
    const got = await glue.getTable({ DatabaseName: this.databaseOf(tenant), Name: name }).catch(notFoundAs(undefined))
    if (!got?.Table) return undefined
    // Without it UpdateTable would overwrite whatever another writer put there meanwhile.
    if (got.Table.VersionId === undefined) throw new Error(`Glue answered the table ${name} without a VersionId; it cannot be updated safely`)
    return { entry: toEntry(tenant, name, got.Table), versionId: got.Table.VersionId }
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
