import { describe, expect, it } from 'vitest'
import type { TableEntry } from '../../ports/catalog.ts'
import { schemaKey } from '../../ingest/execution-input.ts'
import { tenantId } from '../../tenant.ts'
import { FakeGlue } from '../fake/fake-glue.ts'
import { GlueCatalog } from './glue-catalog.ts'

// The Glue answers these tests rely on are written from the AWS Glue API reference, not recorded.

const t = tenantId('t1')
/** GlueCatalog over one FakeGlue for every tenant. */
const over = (glue: FakeGlue, bucket = 'csvlake-data') => new GlueCatalog({ glueFor: () => glue, bucket })

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

describe('GlueCatalog reads and writes the table format the ingest state machine registers (over FakeGlue)', () => {
  it('creates the tenant’s database on its first table, and registers it for Athena as Parquet', async () => {
    const glue = new FakeGlue()
    await over(glue, 'bucket').put(entry(1))
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
    const read = await over(glue).get(t, 'sales')
    expect(read).toMatchObject({ location: 'lake/t1/sales/', rowCount: 30, columns: [{ name: 'n', type: 'bigint' }] })
    expect(read?.parts.map((p) => p.key)).toEqual(['lake/t1/sales/ingest_job=j_1/data.parquet', 'lake/t1/sales/ingest_job=j_2/data.parquet'])
  })

  it('reads a table whose csvlake_detail parameter is not JSON (edited by hand) as having no detail, not as an error', async () => {
    const glue = new FakeGlue()
    await glue.createDatabase({ DatabaseInput: { Name: 'csvlake_t1' } })
    await glue.createTable({
      DatabaseName: 'csvlake_t1',
      TableInput: {
        Name: 'sales',
        Parameters: { classification: 'parquet', csvlake_parts: 'j_1', csvlake_rows: '3', csvlake_detail: '{not json' },
        StorageDescriptor: { Columns: [{ Name: 'n', Type: 'bigint' }], Location: 's3://csvlake-data/lake/t1/sales/' },
      },
    })
    const read = await over(glue).get(t, 'sales')
    expect(read).toMatchObject({ rowCount: 3, sources: [], parts: [{ jobId: 'j_1', rows: 0 }] })
  })

  it('writes the listed parts as the partitions Athena projection reads, and nothing else', async () => {
    const glue = new FakeGlue()
    const catalog = over(glue)
    await catalog.put({ ...entry(3), parts: [{ key: 'lake/t1/sales/ingest_job=j_9/data.parquet', rows: 3, jobId: 'j_9', fileId: 'f1' }] })
    const { Table } = await glue.getTable({ DatabaseName: 'csvlake_t1', Name: 'sales' })
    expect(Table.PartitionKeys).toEqual([{ Name: 'ingest_job', Type: 'string' }])
    expect(Table.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.ingest_job.type': 'enum', 'projection.ingest_job.values': 'j_9', csvlake_parts: 'j_9', csvlake_rows: '3', csvlake_schema: schemaKey([{ name: 'n', type: 'bigint' }]) })
    expect(Table.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe')
  })
})
