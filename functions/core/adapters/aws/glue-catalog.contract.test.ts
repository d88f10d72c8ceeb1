import { BatchDeleteTableVersionCommand, CreateDatabaseCommand, CreateTableCommand, DeleteTableCommand, GetTableCommand, GetTablesCommand, GetTableVersionsCommand, Glue, UpdateTableCommand } from '@aws-sdk/client-glue'
import { mockClient } from 'aws-sdk-client-mock'
import { catalogContract } from '../../ports/catalog.contract.ts'
import { FakeGlue } from '../fake/fake-glue.ts'
import type { GlueApi } from './glue-api.ts'
import { GlueCatalog } from './glue-catalog.ts'

catalogContract('GlueCatalog over FakeGlue (the AWS-like fake, written from the Glue API reference)', async () => {
  const glue = new FakeGlue()
  const open = () => new GlueCatalog({ glueFor: () => glue, bucket: 'csvlake-data' })
  return { catalog: open(), replica: open }
})

/**
 * The SDK's own `Glue` client (each method builds its command and calls `send`), with `send`
 * answered by aws-sdk-client-mock routing each command's input to one FakeGlue, which keeps the
 * state. No HTTP: the SDK's middleware stack (serialization, signing, retries) is not run.
 */
function sdkGlueOver(fake: FakeGlue): GlueApi {
  const glue = new Glue({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  const mock = mockClient(glue)
  mock.on(CreateDatabaseCommand).callsFake((input) => fake.createDatabase(input))
  mock.on(GetTableCommand).callsFake((input) => fake.getTable(input))
  mock.on(GetTablesCommand).callsFake((input) => fake.getTables(input))
  mock.on(CreateTableCommand).callsFake((input) => fake.createTable(input))
  mock.on(UpdateTableCommand).callsFake((input) => fake.updateTable(input))
  mock.on(DeleteTableCommand).callsFake((input) => fake.deleteTable(input))
  mock.on(GetTableVersionsCommand).callsFake((input) => fake.getTableVersions(input))
  mock.on(BatchDeleteTableVersionCommand).callsFake((input) => fake.batchDeleteTableVersion(input))
  return glue
}

catalogContract('GlueCatalog through the SDK Glue client’s commands, answered by aws-sdk-client-mock from FakeGlue (no HTTP)', async () => {
  const fake = new FakeGlue()
  // Each replica has its own SDK client, as another process would.
  const open = () => {
    const glue = sdkGlueOver(fake)
    return new GlueCatalog({ glueFor: () => glue, bucket: 'csvlake-data' })
  }
  return { catalog: open(), replica: open }
})
