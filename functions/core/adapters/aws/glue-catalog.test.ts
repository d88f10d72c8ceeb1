import {
  AlreadyExistsException,
  ConcurrentModificationException,
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  GetTablesCommand,
  Glue,
  ThrottlingException,
  UpdateTableCommand,
  type Table,
} from '@aws-sdk/client-glue'
import { mockClient } from 'aws-sdk-client-mock'
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest'
import type {} from 'aws-sdk-client-mock-vitest/extend'
import { beforeEach, describe, expect, it } from 'vitest'
import type { TableEntry } from '../../ports/catalog.ts'
import { tenantId, type TenantId } from '../../tenant.ts'
import { GlueCatalog } from './glue-catalog.ts'

expect.extend(allCustomMatcher)

/*
 * GlueCatalog over the SDK's Glue client, each command answered by aws-sdk-client-mock with a
 * response written from the AWS Glue API reference (not recorded from the service): tables as
 * GetTable/GetTables answer them, errors as the SDK throws them. `send` is stubbed, so the SDK's
 * retry strategy does not run here: what these tests count is the catalog's own calls.
 */

const t = tenantId('t1')
const meta = { httpStatusCode: 400, requestId: 'req-1' }
const notFound = (what: string) => new EntityNotFoundException({ message: `${what} not found.`, Message: `${what} not found.`, $metadata: meta })
const concurrent = () =>
  new ConcurrentModificationException({ message: 'Update table failed due to concurrent modifications.', Message: 'Update table failed due to concurrent modifications.', $metadata: meta })

const PARQUET_SD = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
}

/** A table as GetTable answers it, with the fields Glue adds (CatalogId, times, VersionId, ...). */
const glueTable = (name: string, VersionId: string, rows = 1): Table => ({
  Name: name,
  DatabaseName: 'csvlake_t1',
  CatalogId: '123456789012',
  TableType: 'EXTERNAL_TABLE',
  CreateTime: new Date('2026-12-01T00:00:00Z'),
  UpdateTime: new Date('2026-12-01T01:00:00Z'),
  Retention: 0,
  IsRegisteredWithLakeFormation: false,
  VersionId,
  PartitionKeys: [{ Name: 'ingest_job', Type: 'string' }],
  Parameters: { classification: 'parquet', 'projection.enabled': 'true', 'projection.ingest_job.type': 'enum', 'projection.ingest_job.values': 'j1', csvlake_parts: 'j1', csvlake_rows: String(rows) },
  StorageDescriptor: { Columns: [{ Name: 'n', Type: 'bigint' }], Location: `s3://bucket/lake/t1/${name}/`, Compressed: false, NumberOfBuckets: -1, ...PARQUET_SD, BucketColumns: [], SortColumns: [], StoredAsSubDirectories: false },
})

const entry = (rows: number, tenant: TenantId = t): TableEntry => ({
  tenant,
  name: 'sales',
  columns: [{ name: 'n', type: 'bigint' }],
  location: `lake/${tenant}/sales/`,
  format: 'parquet',
  parts: [],
  rowCount: rows,
  sources: [],
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
})

/** The SDK's Glue client with its `send` stubbed. */
function mockedGlue() {
  const glue = new Glue({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  return { glue, mock: mockClient(glue) }
}

describe('GlueCatalog over the SDK Glue client (responses written from the Glue API reference)', () => {
  let mock: ReturnType<typeof mockedGlue>['mock']
  let tenantsAsked: TenantId[]
  let catalog: GlueCatalog
  beforeEach(() => {
    const mocked = mockedGlue()
    mock = mocked.mock
    const glue = mocked.glue
    tenantsAsked = []
    catalog = new GlueCatalog({ glueFor: (tenant) => (tenantsAsked.push(tenant), glue), bucket: 'bucket' })
  })

  it('lists every table across GetTables pages, following each NextToken until a page has none', async () => {
    mock
      .on(GetTablesCommand)
      .resolvesOnce({ TableList: [glueTable('delta', '0'), glueTable('alpha', '2')], NextToken: 'tok-1' })
      .resolvesOnce({ TableList: [glueTable('charlie', '0')], NextToken: 'tok-2' })
      .resolvesOnce({ TableList: [glueTable('bravo', '5')] })
    const listed = await catalog.list(t)
    expect(listed.map((e) => e.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta'])
    expect(mock).toHaveReceivedCommandTimes(GetTablesCommand, 3)
    expect(mock.commandCalls(GetTablesCommand)[0]?.args[0].input).toEqual({ DatabaseName: 'csvlake_t1' })
    expect(mock).toHaveReceivedNthCommandWith(GetTablesCommand, 2, { DatabaseName: 'csvlake_t1', NextToken: 'tok-1' })
    expect(mock).toHaveReceivedNthCommandWith(GetTablesCommand, 3, { DatabaseName: 'csvlake_t1', NextToken: 'tok-2' })
  })

  it('creates the tenant’s database on its first write, once, named for the tenant, then the table', async () => {
    mock.on(GetTableCommand).rejects(notFound('Database csvlake_t1'))
    mock.on(CreateTableCommand).rejectsOnce(notFound('Database csvlake_t1')).resolves({ $metadata: {} })
    mock.on(CreateDatabaseCommand).resolves({ $metadata: {} })
    await catalog.put(entry(1))
    expect(mock).toHaveReceivedCommandExactlyOnceWith(CreateDatabaseCommand, { DatabaseInput: { Name: 'csvlake_t1' } })
    expect(mock).toHaveReceivedCommandTimes(CreateTableCommand, 2)
    expect(mock).toHaveReceivedLastCommandWith(CreateTableCommand, { DatabaseName: 'csvlake_t1', TableInput: expect.objectContaining({ Name: 'sales' }) })
  })

  it('takes AlreadyExistsException from CreateDatabase as the database another writer just made', async () => {
    mock.on(GetTableCommand).rejects(notFound('Database csvlake_t1'))
    mock.on(CreateTableCommand).rejectsOnce(notFound('Database csvlake_t1')).resolves({ $metadata: {} })
    mock.on(CreateDatabaseCommand).rejects(new AlreadyExistsException({ message: 'Database already exists.', Message: 'Database already exists.', $metadata: meta }))
    await catalog.put(entry(1))
    expect(mock).toHaveReceivedCommandTimes(CreateTableCommand, 2)
  })

  it('reads the table again and runs the change again on ConcurrentModificationException, then updates at the new VersionId', async () => {
    mock.on(GetTableCommand).resolvesOnce({ Table: glueTable('sales', '3', 1) }).resolvesOnce({ Table: glueTable('sales', '4', 5) })
    mock.on(UpdateTableCommand).rejectsOnce(concurrent()).resolves({ $metadata: {} })
    const seen: number[] = []
    const next = await catalog.update(t, 'sales', (e) => (seen.push(e!.rowCount), { ...e!, rowCount: e!.rowCount + 1 }))
    expect(seen).toEqual([1, 5])
    expect(next.rowCount).toBe(6)
    expect(mock).toHaveReceivedCommandTimes(UpdateTableCommand, 2)
    expect(mock).toHaveReceivedNthCommandWith(UpdateTableCommand, 1, { DatabaseName: 'csvlake_t1', VersionId: '3' })
    expect(mock).toHaveReceivedNthCommandWith(UpdateTableCommand, 2, {
      DatabaseName: 'csvlake_t1',
      VersionId: '4',
      TableInput: expect.objectContaining({ Name: 'sales', Parameters: expect.objectContaining({ csvlake_rows: '6' }) }),
    })
  })

  it('answers AppError CONFLICT (409) when every UpdateTable meets ConcurrentModificationException, after a bounded number of tries', async () => {
    mock.on(GetTableCommand).resolves({ Table: glueTable('sales', '3') })
    mock.on(UpdateTableCommand).rejects(concurrent())
    await expect(catalog.update(t, 'sales', (e) => e!)).rejects.toMatchObject({ name: 'AppError', code: 'CONFLICT', status: 409 })
    expect(mock).toHaveReceivedCommandTimes(UpdateTableCommand, 12)
  })

  it('puts tenants a-b and a_b in different databases, each with the tenant’s own client', async () => {
    mock.on(GetTableCommand).rejects(notFound('Table sales'))
    mock.on(CreateTableCommand).resolves({ $metadata: {} })
    await catalog.put(entry(1, tenantId('a-b')))
    await catalog.put(entry(1, tenantId('a_b')))
    const databases = mock.commandCalls(CreateTableCommand).map((c) => c.args[0].input.DatabaseName)
    expect(databases).toEqual(['csvlake_a_hb', 'csvlake_a__b'])
    expect(new Set(tenantsAsked)).toEqual(new Set(['a-b', 'a_b']))
  })

  it('answers undefined, an empty list and false when the table or the tenant’s database is missing (EntityNotFoundException)', async () => {
    mock.on(GetTableCommand).rejects(notFound('Table sales'))
    mock.on(GetTablesCommand).rejects(notFound('Database csvlake_t1'))
    mock.on(DeleteTableCommand).rejects(notFound('Database csvlake_t1'))
    expect(await catalog.get(t, 'sales')).toBeUndefined()
    expect(await catalog.list(t)).toEqual([])
    expect(await catalog.delete(t, 'sales')).toBe(false)
    expect(mock).not.toHaveReceivedCommand(CreateDatabaseCommand)
  })

  it('reads a GetTable answer into the entry: columns, location in the bucket, the listed parts, the row count', async () => {
    mock.on(GetTableCommand).resolves({ Table: glueTable('sales', '7', 42) })
    expect(await catalog.get(t, 'sales')).toMatchObject({
      tenant: t,
      name: 'sales',
      columns: [{ name: 'n', type: 'bigint' }],
      location: 'lake/t1/sales/',
      rowCount: 42,
      parts: [{ jobId: 'j1', key: 'lake/t1/sales/ingest_job=j1/data.parquet' }],
    })
    expect(mock).toHaveReceivedCommandWith(GetTableCommand, { DatabaseName: 'csvlake_t1', Name: 'sales' })
  })

  it('registers the table for Athena: an EXTERNAL_TABLE whose StorageDescriptor has the Parquet SerDe and input/output formats', async () => {
    mock.on(GetTableCommand).rejects(notFound('Table sales'))
    mock.on(CreateTableCommand).resolves({ $metadata: {} })
    await catalog.put(entry(3))
    const input = mock.commandCalls(CreateTableCommand)[0]?.args[0].input
    expect(input?.TableInput?.TableType).toBe('EXTERNAL_TABLE')
    expect(input?.TableInput?.StorageDescriptor).toEqual({ Columns: [{ Name: 'n', Type: 'bigint' }], Location: 's3://bucket/lake/t1/sales/', ...PARQUET_SD })
  })

  it('passes on what is not a race, once: a ThrottlingException is the SDK retry strategy’s to retry, not the catalog’s', async () => {
    mock.on(GetTableCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: meta }))
    await expect(catalog.get(t, 'sales')).rejects.toMatchObject({ name: 'ThrottlingException' })
    expect(mock).toHaveReceivedCommandTimes(GetTableCommand, 1)
  })
})
