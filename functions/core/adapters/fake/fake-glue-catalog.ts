import { AppError } from '../../errors.ts'
import type { Catalog, TableEntry } from '../../ports/catalog.ts'
import type { TenantId } from '../../tenant.ts'
import type { FakeGlue, GlueTable, GlueTableInput } from './fake-glue.ts'

/** How often a change is tried before the conflict is answered (409). */
const UPDATE_ATTEMPTS = 12

/** Where csvlake keeps what Glue has no field for (table parameters are string to string). */
const P = { name: 'csvlake.name', parts: 'csvlake.parts', sources: 'csvlake.sources', rowCount: 'csvlake.rowCount', createdAt: 'csvlake.createdAt', updatedAt: 'csvlake.updatedAt' }

/**
 * The catalog over the Glue Data Catalog API, mapped as the aws adapter (next issue) will map the
 * SDK's: a database per tenant, a table per entry; the entry's columns and location in the
 * table's StorageDescriptor (Parquet SerDe and formats, so Athena reads it), the rest as table
 * parameters. `update` is GetTable, then UpdateTable with the VersionId read (CreateTable when
 * there was none), and on ConcurrentModificationException / AlreadyExistsException it reads and
 * runs `change` again. Run over FakeGlue it is the AWS-like fake of the Catalog port.
 */
export class FakeGlueCatalog implements Catalog {
  constructor(
    private readonly glue: FakeGlue,
    private readonly bucket: string = 'csvlake-data',
    private readonly databaseOf: (tenant: TenantId) => string = (tenant) => `csvlake_${tenant}`,
  ) {}

  async get(tenant: TenantId, name: string): Promise<TableEntry | undefined> {
    return (await this.read(tenant, name))?.entry
  }

  async list(tenant: TenantId): Promise<TableEntry[]> {
    const entries: TableEntry[] = []
    let token: string | undefined
    do {
      const page = await this.glue.getTables({ DatabaseName: this.databaseOf(tenant), ...(token ? { NextToken: token } : {}) }).catch(notFoundAs(undefined))
      if (!page) return []
      for (const table of page.TableList) entries.push(this.toEntry(tenant, table))
      token = page.NextToken
    } while (token)
    return entries.sort((a, b) => a.name.localeCompare(b.name))
  }

  async put(entry: TableEntry): Promise<void> {
    await this.update(entry.tenant, entry.name, () => entry)
  }

  async update(tenant: TenantId, name: string, change: (existing: TableEntry | undefined) => TableEntry | Promise<TableEntry>): Promise<TableEntry> {
    const DatabaseName = this.databaseOf(tenant)
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(tenant, name)
      const next = await change(current && structuredClone(current.entry))
      const TableInput = this.toTableInput(next)
      try {
        if (current) await this.glue.updateTable({ DatabaseName, TableInput, VersionId: current.versionId, SkipArchive: true })
        else await this.create(DatabaseName, TableInput)
        return next
      } catch (err) {
        const raced = ['ConcurrentModificationException', 'AlreadyExistsException', 'EntityNotFoundException'].includes(errorName(err) ?? '')
        if (!raced) throw err
        if (attempt >= UPDATE_ATTEMPTS) {
          throw new AppError('CONFLICT', `The table ${name} is being changed by other jobs at the same time; try again.`, {}, { cause: err })
        }
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 100)))
      }
    }
  }

  async delete(tenant: TenantId, name: string): Promise<boolean> {
    const deleted = await this.glue.deleteTable({ DatabaseName: this.databaseOf(tenant), Name: name }).catch(notFoundAs(undefined))
    return deleted !== undefined
  }

  private async read(tenant: TenantId, name: string): Promise<{ entry: TableEntry; versionId: string } | undefined> {
    const got = await this.glue.getTable({ DatabaseName: this.databaseOf(tenant), Name: name }).catch(notFoundAs(undefined))
    return got && { entry: this.toEntry(tenant, got.Table), versionId: got.Table.VersionId }
  }

  /** CreateTable, creating the tenant's database first when it has none. */
  private async create(DatabaseName: string, TableInput: GlueTableInput): Promise<void> {
    try {
      await this.glue.createTable({ DatabaseName, TableInput })
    } catch (err) {
      if (errorName(err) !== 'EntityNotFoundException') throw err
      await this.glue.createDatabase({ DatabaseInput: { Name: DatabaseName } }).catch((e: unknown) => {
        if (errorName(e) !== 'AlreadyExistsException') throw e
      })
      await this.glue.createTable({ DatabaseName, TableInput })
    }
  }

  private toTableInput(entry: TableEntry): GlueTableInput {
    return {
      Name: entry.name,
      TableType: 'EXTERNAL_TABLE',
      Parameters: {
        classification: 'parquet',
        [P.name]: entry.name,
        [P.parts]: JSON.stringify(entry.parts),
        [P.sources]: JSON.stringify(entry.sources),
        [P.rowCount]: String(entry.rowCount),
        [P.createdAt]: entry.createdAt,
        [P.updatedAt]: entry.updatedAt,
      },
      StorageDescriptor: {
        Columns: entry.columns.map((c) => ({ Name: c.name, Type: c.type })),
        Location: `s3://${this.bucket}/${entry.location}`,
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
      },
    }
  }

  private toEntry(tenant: TenantId, table: GlueTable): TableEntry {
    const p = table.Parameters ?? {}
    const location = table.StorageDescriptor?.Location ?? ''
    return {
      tenant,
      name: p[P.name] ?? table.Name,
      columns: (table.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type })),
      location: location.replace(/^s3:\/\/[^/]+\//, ''),
      format: 'parquet',
      parts: JSON.parse(p[P.parts] ?? '[]') as TableEntry['parts'],
      rowCount: Number(p[P.rowCount] ?? 0),
      sources: JSON.parse(p[P.sources] ?? '[]') as TableEntry['sources'],
      createdAt: p[P.createdAt] ?? table.CreateTime.toISOString(),
      updatedAt: p[P.updatedAt] ?? table.UpdateTime.toISOString(),
    }
  }
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined
}

function notFoundAs<T>(answer: T): (err: unknown) => T {
  return (err) => {
    if (errorName(err) === 'EntityNotFoundException') return answer
    throw err
  }
}
