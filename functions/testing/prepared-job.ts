import type { FakeGlue } from '../core/adapters/fake/fake-glue.ts'
import type { Dialect } from '../core/ingest/dialect.ts'
import { executionInput } from '../core/ingest/execution-input.ts'
import { writeJson } from '../core/json-records.ts'
import { keys } from '../core/keys.ts'
import type { ObjectStore } from '../core/ports/object-store.ts'
import type { IngestInput, JobRecord } from '../core/ports/workflow.ts'
import { tenantId } from '../core/tenant.ts'

const T = tenantId('acme')
const DIALECT: Dialect = { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id', 'name', 'price'] }

/** The columns a Glue crawler finds in the files these tests stage. */
export const PREPARED_COLUMNS = [
  { Name: 'id', Type: 'bigint' },
  { Name: 'name', Type: 'string' },
  { Name: 'price', Type: 'double' },
]

export type PreparedJobOptions = { format?: 'csv' | 'parquet'; dialect?: Partial<Dialect>; onError?: 'fail' | 'skip'; mode?: 'create' | 'append'; columns?: typeof PREPARED_COLUMNS; maxUploadBytes?: number; quotaBytes?: number }

/**
 * A job of tenant `acme` as the prepare Jobs find it on AWS: its upload in raw/, its record in the
 * job index, and the table a Glue crawler would have made of the staged file (in FakeGlue).
 * Answers the input, the names the execution derives (executionInput, as for a real execution)
 * and the Job's environment as the state machine sets it.
 */
export async function givenPreparedJob(at: { store: ObjectStore; glue: FakeGlue; bucket: string }, suffix: string, raw: Uint8Array, opts: PreparedJobOptions = {}) {
  const jobId = `j_${suffix}`
  const fileId = `f_${suffix}`
  const input: IngestInput = { jobId, tenant: T, fileId, fileName: 'people.csv', table: `people_${suffix}`, mode: opts.mode ?? 'create', onError: opts.onError ?? 'fail', dialect: { ...DIALECT, ...opts.dialect }, ...(opts.format ? { format: opts.format } : {}) }
  await at.store.putBytes(keys.rawData(T, fileId), raw)
  const record: JobRecord = { jobId, tenant: T, input, status: 'RUNNING', startedAt: new Date().toISOString(), steps: [], executionArn: `arn:aws:states:eu-west-1:123456789012:execution:csvlake-ingest:${jobId}` }
  await writeJson(at.store, keys.job(T, jobId), record)
  const { names } = executionInput(input, { bucket: at.bucket, crawlerRole: 'arn:aws:iam::123456789012:role/c', workGroup: 'csvlake', prepare: { region: 'eu-west-1', maxUploadBytes: opts.maxUploadBytes ?? 64 * 1024 * 1024, ...(opts.quotaBytes ? { quotaBytes: opts.quotaBytes } : {}) } })
  await at.glue.createDatabase({ DatabaseInput: { Name: names.stagingDatabase } }).catch(() => undefined)
  await at.glue.createTable({ DatabaseName: names.stagingDatabase, TableInput: { Name: names.crawledTable, StorageDescriptor: { Columns: opts.columns ?? PREPARED_COLUMNS, Location: names.stagedFolder } } })
  return { input, names, env: { CSVLAKE_TENANT: T, CSVLAKE_JOB_ID: jobId, CSVLAKE_NAMES: JSON.stringify(names) } }
}
