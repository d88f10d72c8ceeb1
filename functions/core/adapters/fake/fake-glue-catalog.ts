import { AppError } from '../../errors.ts'
import type { Catalog, TableEntry } from '../../ports/catalog.ts'
import { schemaKey } from '../../ingest/execution-input.ts'
import { tenantDatabase, type TenantId } from '../../tenant.ts'
import type { FakeGlue, GlueTable, GlueTableInput } from './fake-glue.ts'

/** How often a change is tried before the conflict is answered (409). */
const UPDATE_ATTEMPTS = 12

/**
 * The table format `statemachines/ingest.asl.json` registers, so a table written by either reads
 * the same: each job's Parquet part is the partition `ingest_job={jobId}/` under the table's
 * location, and Athena's partition projection reads only the job ids listed in the parameters -
 * a part not (yet) listed is invisible. Names without dots, as the state machine's JSONPath reads them.
 */
const PARTITION = 'ingest_job'
const P = {
  /** The listed parts' job ids, comma-separated (the state machine appends to it). */
  parts: 'csvlake_parts',
  rows: 'csvlake_rows',
  /** What Glue has no field for: each part's rows and file, the loads, when made (JSON). */
  detail: 'csvlake_detail',
}
type Detail = { parts: Record<string, { rows: number; fileId: string }>; sources: TableEntry['sources']; createdAt: string; updatedAt: string }

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
    private readonly databaseOf: (tenant: TenantId) => string = tenantDatabase,
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
    const jobs = entry.parts.map((p) => p.jobId).join(',')
    const detail: Detail = {
      parts: Object.fromEntries(entry.parts.map((p) => [p.jobId, { rows: p.rows, fileId: p.fileId }])),
      sources: entry.sources,
      createdAt: entry.createdAt,
      updatedAt: entry.updatedAt,
    }
    return {
      Name: entry.name,
      TableType: 'EXTERNAL_TABLE',
      PartitionKeys: [{ Name: PARTITION, Type: 'string' }],
      Parameters: {
        classification: 'parquet',
        'projection.enabled': 'true',
        [`projection.${PARTITION}.type`]: 'enum',
        [`projection.${PARTITION}.values`]: jobs,
        [P.parts]: jobs,
        [P.rows]: String(entry.rowCount),
        // What the state machine compares before it appends a part (the columns it was converted with).
        csvlake_schema: schemaKey(entry.columns),
        [P.detail]: JSON.stringify(detail),
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
    const location = (table.StorageDescriptor?.Location ?? '').replace(/^s3:\/\/[^/]+\//, '')
    const stored = p[P.detail]
    const detail = (stored ? JSON.parse(stored) : {}) as Partial<Detail>
    const jobs = (p[P.parts] ?? '').split(',').filter(Boolean)
    return {
      tenant,
      name: table.Name,
      columns: (table.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type })),
      location,
      format: 'parquet',
      // A part the state machine listed after the detail was written has its rows unknown here (0).
      parts: jobs.map((jobId) => ({ key: `${location}${PARTITION}=${jobId}/data.parquet`, jobId, rows: detail.parts?.[jobId]?.rows ?? 0, fileId: detail.parts?.[jobId]?.fileId ?? '' })),
      rowCount: Number(p[P.rows] ?? 0),
      sources: detail.sources ?? [],
      createdAt: detail.createdAt ?? table.CreateTime.toISOString(),
      updatedAt: detail.updatedAt ?? table.UpdateTime.toISOString(),
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
