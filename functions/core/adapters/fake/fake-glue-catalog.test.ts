import { describe, expect, it } from 'vitest'
import type { TableEntry } from '../../ports/catalog.ts'
import { schemaKey } from '../../ingest/execution-input.ts'
import { tenantId } from '../../tenant.ts'
import { FakeGlue } from './fake-glue.ts'
import { FakeGlueCatalog } from './fake-glue-catalog.ts'

// The Glue answers these tests rely on are written from the AWS Glue API reference, not recorded.

const t = tenantId('t1')
const entry = (rows: number): TableEntry => ({
  tenant: t,
  name: 'sales',
  columns: [{ name: 'n', type: 'bigint' }],
  location: 'lake/t1/sales/',
  format: 'parquet',
  parts: [],
  rowCount: rows,
  sources: [],
  createdAt: 'x',
  updatedAt: 'x',
})

describe('FakeGlue (Glue API shapes, written from the API reference, not recorded)', () => {
  it('answers EntityNotFoundException for a missing database or table, AlreadyExistsException for a second create', async () => {
    const glue = new FakeGlue()
    await expect(glue.getTable({ DatabaseName: 'db', Name: 'x' })).rejects.toMatchObject({ name: 'EntityNotFoundException', $metadata: { httpStatusCode: 400 }, Message: expect.any(String) })
    await glue.createDatabase({ DatabaseInput: { Name: 'db' } })
    await expect(glue.createDatabase({ DatabaseInput: { Name: 'db' } })).rejects.toMatchObject({ name: 'AlreadyExistsException' })
    await expect(glue.getTable({ DatabaseName: 'db', Name: 'x' })).rejects.toMatchObject({ name: 'EntityNotFoundException' })
    await glue.createTable({ DatabaseName: 'db', TableInput: { Name: 'x' } })
    await expect(glue.createTable({ DatabaseName: 'db', TableInput: { Name: 'x' } })).rejects.toMatchObject({ name: 'AlreadyExistsException' })
  })

  it('counts VersionId up by one each update and refuses an update at a stale VersionId', async () => {
    const glue = new FakeGlue()
    await glue.createDatabase({ DatabaseInput: { Name: 'db' } })
    await glue.createTable({ DatabaseName: 'db', TableInput: { Name: 'x' } })
    const { Table } = await glue.getTable({ DatabaseName: 'db', Name: 'x' })
    await glue.updateTable({ DatabaseName: 'db', TableInput: { Name: 'x', Parameters: { a: '1' } }, VersionId: Table.VersionId })
    const after = (await glue.getTable({ DatabaseName: 'db', Name: 'x' })).Table
    expect(Number(after.VersionId)).toBe(Number(Table.VersionId) + 1)
    await expect(glue.updateTable({ DatabaseName: 'db', TableInput: { Name: 'x' }, VersionId: Table.VersionId })).rejects.toMatchObject({
      name: 'ConcurrentModificationException',
      $metadata: { httpStatusCode: 400 },
    })
  })
})

describe('FakeGlueCatalog (the adapter layer, as the aws adapter will call Glue)', () => {
  it('creates the tenant’s database on its first table, and registers it for Athena as Parquet', async () => {
    const glue = new FakeGlue()
    await new FakeGlueCatalog(glue, 'bucket').put(entry(1))
    const { Table } = await glue.getTable({ DatabaseName: 'csvlake_t1', Name: 'sales' })
    expect(Table).toMatchObject({
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'parquet' },
      StorageDescriptor: {
        Columns: [{ Name: 'n', Type: 'bigint' }],
        Location: 's3://bucket/lake/t1/sales/',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      },
    })
  })

  it('reads again and runs the change again after a ConcurrentModificationException', async () => {
    const glue = new FakeGlue()
    const catalog = new FakeGlueCatalog(glue)
    await catalog.put(entry(1))
    glue.failNext('UpdateTable', 'ConcurrentModificationException')
    let runs = 0
    const next = await catalog.update(t, 'sales', (e) => (runs++, { ...e!, rowCount: e!.rowCount + 1 }))
    expect(runs).toBe(2)
    expect(next.rowCount).toBe(2)
    expect((await catalog.get(t, 'sales'))?.rowCount).toBe(2)
  })

  it('gives up with CONFLICT (409) when the table keeps changing under it', async () => {
    const glue = new FakeGlue()
    const catalog = new FakeGlueCatalog(glue)
    await catalog.put(entry(1))
    for (let i = 0; i < 12; i++) glue.failNext('UpdateTable', 'ConcurrentModificationException')
    await expect(catalog.update(t, 'sales', (e) => e!)).rejects.toMatchObject({ code: 'CONFLICT', status: 409 })
  })

  it('passes on what is not a race (throttling is for the caller to retry)', async () => {
    const glue = new FakeGlue()
    const catalog = new FakeGlueCatalog(glue)
    glue.failNext('GetTable', 'ThrottlingException')
    await expect(catalog.get(t, 'sales')).rejects.toMatchObject({ name: 'ThrottlingException' })
  })

  it('lists every table across GetTables pages', async () => {
    const glue = new FakeGlue()
    const catalog = new FakeGlueCatalog(glue)
    for (let i = 0; i < 205; i++) await catalog.put({ ...entry(i), name: `t${String(i).padStart(3, '0')}` })
    const listed = await catalog.list(t)
    expect(listed).toHaveLength(205)
    expect(glue.calls.GetTables).toBe(3)
  })
})

describe('FakeGlueCatalog reads and writes the table format the ingest state machine registers', () => {
  it('reads a table as the state machine leaves it after a create and an append: both parts, under ingest_job=, with the row count', async () => {
    const glue = new FakeGlue()
    await glue.createDatabase({ DatabaseInput: { Name: 'csvlake_t1' } })
    // As CreateTable, then AppendToTable (UpdateTable), of statemachines/ingest.asl.json write it.
    await glue.createTable({
      DatabaseName: 'csvlake_t1',
      TableInput: {
        Name: 'sales',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'ingest_job', Type: 'string' }],
        Parameters: { classification: 'parquet', 'projection.enabled': 'true', 'projection.ingest_job.type': 'enum', 'projection.ingest_job.values': 'j_1,j_2', csvlake_parts: 'j_1,j_2', csvlake_rows: '30', csvlake_job: 'j_2' },
        StorageDescriptor: { Columns: [{ Name: 'n', Type: 'bigint' }], Location: 's3://csvlake-data/lake/t1/sales/' },
      },
    })
    const read = await new FakeGlueCatalog(glue).get(t, 'sales')
    expect(read).toMatchObject({ location: 'lake/t1/sales/', rowCount: 30, columns: [{ name: 'n', type: 'bigint' }] })
    expect(read?.parts.map((p) => p.key)).toEqual(['lake/t1/sales/ingest_job=j_1/data.parquet', 'lake/t1/sales/ingest_job=j_2/data.parquet'])
  })

  it('writes the listed parts as the partitions Athena projection reads, and nothing else', async () => {
    const glue = new FakeGlue()
    const catalog = new FakeGlueCatalog(glue)
    await catalog.put({ ...entry(3), parts: [{ key: 'lake/t1/sales/ingest_job=j_9/data.parquet', rows: 3, jobId: 'j_9', fileId: 'f1' }] })
    const { Table } = await glue.getTable({ DatabaseName: 'csvlake_t1', Name: 'sales' })
    expect(Table.PartitionKeys).toEqual([{ Name: 'ingest_job', Type: 'string' }])
    expect(Table.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.ingest_job.type': 'enum', 'projection.ingest_job.values': 'j_9', csvlake_parts: 'j_9', csvlake_rows: '3', csvlake_schema: schemaKey([{ name: 'n', type: 'bigint' }]) })
    expect(Table.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe')
  })
})
