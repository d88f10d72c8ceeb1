import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions'
import aslValidator from 'asl-validator'
import { describe, expect, it } from 'vitest'
import { executionInput, parseCause } from '../functions/core/ingest/execution-input.ts'
import type { IngestInput } from '../functions/core/ports/workflow.ts'
import { tenantId } from '../functions/core/tenant.ts'
import definition from './ingest.asl.json' with { type: 'json' }
import { athenaFailed, FakeAws, glueError, throttled, type FakeAwsOptions } from './fixtures/fake-aws.ts'

// Every Task below is answered by FakeAws, whose shapes are written from the AWS API references, not recorded.

const asl = definition as unknown as StateMachineDefinition
type State = { Type: string; Resource?: string; TimeoutSeconds?: number; Retry?: { ErrorEquals: string[] }[]; Catch?: unknown[]; ItemProcessor?: { States: Record<string, State> } }
const states = definition.States as unknown as Record<string, State>

const input: IngestInput = {
  jobId: 'j_00000000000000000000000000000001',
  tenant: tenantId('t'),
  fileId: 'f_00000000000000000000000000000001',
  fileName: 'people.csv',
  table: 'people',
  mode: 'create',
  onError: 'fail',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id', 'name'] },
}
const names = { bucket: 'bucket', crawlerRole: 'arn:aws:iam::123456789012:role/csvlake-crawler', workGroup: 'csvlake' }
const DB = 'csvlake_t'
const PART = `lake/t/people/ingest_job=${input.jobId}/data.parquet`

type Outcome = { status: 'SUCCEEDED'; output: Record<string, unknown> } | { status: 'FAILED'; error: string; cause: string }
type Run = Outcome & { steps: string[]; inputs: Record<string, Record<string, unknown>> }

async function run(aws: FakeAws, over: Partial<IngestInput> = {}): Promise<Run> {
  const machine = new StateMachine(asl, { validationOptions: { checkArn: true } })
  const everyState = Object.keys(states)
  const execution = machine.run(executionInput({ ...input, ...over }, names), {
    overrides: {
      taskResourceLocalHandlers: aws.handlers() as never,
      waitTimeOverrides: { WaitForCrawler: 0 },
      retryIntervalOverrides: Object.fromEntries(everyState.map((n) => [n, 0])),
    },
  })
  const steps: string[] = []
  const inputs: Record<string, Record<string, unknown>> = {}
  const collecting = (async () => {
    for await (const e of execution.eventLogs as AsyncIterable<{ type: string; state?: { name: string; input: Record<string, unknown> } }>) {
      if (e.type !== 'StateEntered' || !e.state) continue
      steps.push(e.state.name)
      inputs[e.state.name] = e.state.input
    }
  })()
  try {
    const output = (await execution.result) as Record<string, unknown>
    await collecting
    return { status: 'SUCCEEDED', output, steps, inputs }
  } catch (err) {
    await collecting.catch(() => undefined)
    const cause = (err as { cause?: { name: string; message: string } }).cause
    return { status: 'FAILED', error: cause?.name ?? 'unknown', cause: cause?.message ?? String(err), steps, inputs }
  }
}

const fake = (options: FakeAwsOptions = {}) => new FakeAws(options)
const calls = (aws: FakeAws, state: string) => aws.calls.filter((c) => c.state === state)

describe('statemachines/ingest.asl.json', () => {
  it('is valid ASL (asl-validator), and every Task has a timeout, retries throttling and is caught', () => {
    const { isValid, errors } = aslValidator(definition)
    expect(errors).toEqual([])
    expect(isValid).toBe(true)
    const tasks = Object.entries(states).flatMap(([name, s]) => (s.Type === 'Map' ? Object.entries(s.ItemProcessor!.States) : [[name, s] as const]))
      .filter(([, s]) => s.Type === 'Task')
    expect(tasks.length).toBeGreaterThan(20)
    for (const [name, s] of tasks) {
      expect(s.TimeoutSeconds, name).toBeGreaterThan(0)
      const retried = (s.Retry ?? []).flatMap((r) => r.ErrorEquals)
      expect(retried.some((e) => /Throttling|TooManyRequests|SlowDown/.test(e)), `${name} retries throttling`).toBe(true)
      expect(s.Catch, `${name} is caught`).toBeDefined()
    }
    // Sized for a 5 GiB file: the jobs that read every byte get an hour or two, the API calls a minute.
    expect(states.StageFile!.TimeoutSeconds).toBeGreaterThanOrEqual(3600)
    expect(states.ConvertToParquet!.TimeoutSeconds).toBeGreaterThanOrEqual(3600)
    expect(states.ConvertColumnar!.TimeoutSeconds).toBeGreaterThanOrEqual(3600)
  })

  describe('the columnar branch (a Parquet upload)', () => {
    it('is its own branch: ChooseFormat sends Parquet to ConvertColumnar, an EKS Job running `ingest columnar`, and everything else to StageFile', () => {
      const choose = definition.States.ChooseFormat as unknown as { Type: string; Choices: { Next: string }[]; Default: string }
      expect(definition.StartAt).toBe('ChooseFormat')
      expect(choose.Type).toBe('Choice')
      expect(choose.Choices.map((c) => c.Next)).toEqual(['ConvertColumnar'])
      expect(choose.Default).toBe('StageFile')
      const columnar = definition.States.ConvertColumnar as unknown as { Resource: string; Next: string; Parameters: { Job: { spec: { template: { spec: { containers: { args: string[] }[] } } } } } }
      expect(columnar.Resource).toBe('arn:aws:states:::eks:runJob.sync')
      expect(columnar.Parameters.Job.spec.template.spec.containers[0]!.args).toEqual(['ingest', 'columnar'])
      expect(columnar.Next).toBe('ReadConversion')
    })

    it('loads a Parquet file without staging or crawling: the part is checked and registered as a CSV part is, and nothing is left', async () => {
      const aws = fake()
      const result = await run(aws, { format: 'parquet' })
      expect(result).toMatchObject({ status: 'SUCCEEDED', output: { table: 'people', rowsLoaded: 1, tableRowCount: 1 } })
      expect(result.steps.slice(0, 4)).toEqual(['ChooseFormat', 'ConvertColumnar', 'ReadConversion', 'CreateParquetTable'])
      for (const csvOnly of ['StageFile', 'CreateClassifier', 'CreateCrawler', 'StartCrawler', 'GetCrawler', 'GetCrawledTable', 'ConvertToParquet', 'CleanUp', 'DeleteClassifier', 'DeleteCrawledTable']) {
        expect(result.steps, csvOnly).not.toContain(csvOnly)
      }
      expect(result.steps).toEqual(expect.arrayContaining(['CheckParquet', 'CreateTable', 'TableRegistered', 'DeleteParquetTable', 'DeleteStagedFiles', 'IngestSucceeded']))
      expect(aws.objects.has(PART)).toBe(true)
      expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
    })

    it('appends a Parquet part after reading the table, as the CSV branch does', async () => {
      const aws = fake()
      aws.givenTable(DB, 'people', ['j_old'], 5, [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }], JSON.stringify([['id', 'bigint'], ['name', 'string']]))
      const result = await run(aws, { format: 'parquet', mode: 'append' })
      expect(result).toMatchObject({ status: 'SUCCEEDED', output: { tableRowCount: 6 } })
      expect(aws.tables.get(`${DB}.people`)!.Parameters).toMatchObject({ csvlake_parts: `j_old,${input.jobId}` })
      expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
    })

    it('fails with the cause the columnar Job wrote (a column Athena cannot read), removing its part, and skips the crawler clean-up', async () => {
      const cause = { code: 'UNSUPPORTED_TYPE', message: 'This Parquet file cannot be loaded as it is: column "opens_at" is INT64 (TIME, MICROS): Athena has no time-of-day column type.' }
      const aws = fake({ conversionFails: cause })
      const result = await run(aws, { format: 'parquet' })
      expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.ConversionFailed' })
      expect(parseCause((result as { cause: string }).cause)).toEqual(cause)
      expect(result.steps).toEqual(['ChooseFormat', 'ConvertColumnar', 'ReadConversionError', 'CleanUpAfterFailure', 'StopCrawlerIfCrawled', 'DeleteParquetTable', 'DeleteStagedFiles', 'Finished', 'IngestFailed'])
      expect(aws.objects.has(PART)).toBe(false)
      expect(aws.leftovers()).toEqual([])
    })

    it('takes a job submitted before formats (no format in its input) down the CSV branch', async () => {
      const aws = fake()
      const execution = executionInput(input, names) as Record<string, unknown>
      expect(execution.format).toBe('csv')
      expect((await run(aws)).steps.slice(0, 2)).toEqual(['ChooseFormat', 'StageFile'])
    })
  })

  it('loads a file: output is the job result, the table is registered as Parquet with this part listed, and nothing else is left', async () => {
    const aws = fake()
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'SUCCEEDED' })
    expect((result as { output: unknown }).output).toEqual({
      table: 'people',
      columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }],
      rowsRead: 1,
      rowsLoaded: 1,
      rowsRejected: 0,
      rejected: [],
      tableRowCount: 1,
    })
    const table = aws.tables.get(`${DB}.people`)!
    expect(table.StorageDescriptor).toMatchObject({
      Location: 's3://bucket/lake/t/people/',
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    })
    expect(table.PartitionKeys).toEqual([{ Name: 'ingest_job', Type: 'string' }])
    expect(table.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.ingest_job.values': input.jobId, csvlake_parts: input.jobId, csvlake_rows: '1' })
    expect(aws.databases.has(DB)).toBe(true)
    expect(aws.objects.has(PART)).toBe(true)
    expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
  })

  it('carries the column list once: the names go after the classifier has them, the crawled ones are replaced by the converted ones', async () => {
    const aws = fake()
    const state = (await run(aws)).inputs.ConvertToParquet as { dialect: { columnNames: unknown }; part: unknown; crawler: unknown }
    expect(state.dialect.columnNames).toEqual({})
    expect(state.part).toEqual({ Columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }] })
    expect(state.crawler).toEqual({})
    expect(calls(aws, 'CreateClassifier')[0]!.params).toMatchObject({ CsvClassifier: { Header: ['id', 'name'], Delimiter: ',', QuoteSymbol: '"', ContainsHeader: 'PRESENT', Serde: 'OpenCSVSerDe' } })
  })

  it('waits for a new crawler that has no LastCrawl yet, without failing', async () => {
    const aws = fake({ crawl: { notStartedPolls: 2, runningPolls: 2 } })
    const result = await run(aws)
    expect(result.status).toBe('SUCCEEDED')
    expect(calls(aws, 'GetCrawler')).toHaveLength(5)
  })

  it.each([
    ['FAILED with a message', { Status: 'FAILED' as const, ErrorMessage: 'Internal Service Exception' }, 'Internal Service Exception'],
    ['FAILED without a message', { Status: 'FAILED' as const }, 'The crawl ended FAILED without saying why. Submit the file again.'],
    ['CANCELLED with a message', { Status: 'CANCELLED' as const, ErrorMessage: 'Crawler was stopped by the user' }, 'Crawler was stopped by the user'],
    ['CANCELLED without a message', { Status: 'CANCELLED' as const }, 'The crawl ended CANCELLED without saying why. Submit the file again.'],
  ])('fails a crawl that ended %s with that cause, and leaves nothing behind', async (_, lastCrawl, cause) => {
    const aws = fake({ crawl: { result: lastCrawl } })
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.CrawlFailed', cause })
    expect(result.steps).not.toContain('GetCrawledTable')
    expect(aws.leftovers()).toEqual([])
  })

  it('gives up on a crawler that never finishes after the capped number of polls, stops and deletes it', async () => {
    const aws = fake({ crawl: { never: true } })
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.CrawlTimedOut' })
    expect(calls(aws, 'GetCrawler')).toHaveLength(241)
    expect(calls(aws, 'StopCrawler')).toHaveLength(1)
    expect(aws.crawlers.size).toBe(0)
    expect(aws.leftovers()).toEqual([])
  })

  it('retries throttled Glue, S3 and Athena calls and goes on', async () => {
    const aws = fake({
      faults: {
        CreateCrawler: [throttled('Glue')],
        GetCrawler: [throttled('Glue'), throttled('Glue')],
        ReadConversion: [throttled('S3')],
        CheckParquet: [throttled('Athena')],
        CreateTable: [throttled('Glue')],
        CleanUp: [throttled('Glue')],
      },
    })
    const result = await run(aws)
    expect(result.status).toBe('SUCCEEDED')
    expect(calls(aws, 'CreateCrawler')).toHaveLength(2)
    expect(calls(aws, 'CheckParquet')).toHaveLength(2)
    expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
  })

  it('takes this job\'s classifier, crawler and started crawl as made when a call timed out after doing its work', async () => {
    const timedOutAfter = (state: string) => async (params: Record<string, unknown>) => {
      await aws.handlers()[state]!(params)
      throw glueError('OperationTimeoutException', 'Timeout')
    }
    const aws: FakeAws = fake({ faults: { CreateClassifier: [(p) => timedOutAfter('CreateClassifier')(p)], CreateCrawler: [(p) => timedOutAfter('CreateCrawler')(p)], StartCrawler: [(p) => timedOutAfter('StartCrawler')(p)] } })
    const result = await run(aws)
    expect(result.status).toBe('SUCCEEDED')
    expect(calls(aws, 'StartCrawler').length).toBeGreaterThanOrEqual(3)
    expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
  })

  it('appends after a ConcurrentModificationException by reading the table again: both parts listed, rows added up', async () => {
    const aws = fake({ counts: { rowsLoaded: 2, rowsRejected: 1 }, faults: { AppendPart: [() => { throw glueError('ConcurrentModificationException', 'Update table failed due to concurrent modifications.') }] } })
    aws.givenTable(DB, 'people', ['j_old'], 5, [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }], JSON.stringify([['id', 'bigint'], ['name', 'string']]))
    const result = await run(aws, { mode: 'append' })
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { rowsRead: 3, rowsLoaded: 2, rowsRejected: 1, tableRowCount: 7, rejected: [{ line: 3 }] } })
    expect(calls(aws, 'ReadTable')).toHaveLength(2)
    expect(aws.tables.get(`${DB}.people`)!.Parameters).toMatchObject({ csvlake_parts: `j_old,${input.jobId}`, 'projection.ingest_job.values': `j_old,${input.jobId}`, csvlake_rows: '7' })
    expect(calls(aws, 'CreateDatabase')).toHaveLength(1)
    expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
  })

  it('fails an append that keeps conflicting after a few reads, removing its part', async () => {
    const conflict = () => { throw glueError('ConcurrentModificationException', 'Update table failed due to concurrent modifications.') }
    const aws = fake({ faults: { AppendPart: Array(5).fill(conflict) } })
    aws.givenTable(DB, 'people', ['j_old'], 5, [{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }], JSON.stringify([['id', 'bigint'], ['name', 'string']]))
    const result = await run(aws, { mode: 'append' })
    expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.TableBusy' })
    expect(aws.objects.has(PART)).toBe(false)
    expect(aws.tables.get(`${DB}.people`)!.Parameters.csvlake_parts).toBe('j_old')
    expect(aws.leftovers()).toEqual([])
  })

  it('fails an append whose table changed its columns since the conversion read them', async () => {
    const aws = fake()
    aws.givenTable(DB, 'people', ['j_old'], 5, [{ Name: 'id', Type: 'string' }], JSON.stringify([['id', 'string']]))
    const result = await run(aws, { mode: 'append' })
    expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.SchemaChanged' })
    expect(aws.leftovers()).toEqual([])
  })

  it('fails an append to a table csvlake did not register (no csvlake_rows), with a clear error and nothing left behind', async () => {
    const aws = fake()
    aws.givenTable(DB, 'people', ['j_old'], 5, [{ Name: 'id', Type: 'bigint' }], JSON.stringify([['id', 'bigint']]))
    delete aws.tables.get(`${DB}.people`)!.Parameters!.csvlake_rows
    const result = await run(aws, { mode: 'append' })
    expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.NotCsvlakeTable' })
    expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
  })

  it('fails an append to a table that does not exist, and creates a table that a replace does not find', async () => {
    const appended = fake()
    expect(await run(appended, { mode: 'append' })).toMatchObject({ status: 'FAILED', error: 'Glue.EntityNotFoundException' })
    expect(appended.leftovers()).toEqual([])
    const replaced = fake()
    expect(await run(replaced, { mode: 'replace' })).toMatchObject({ status: 'SUCCEEDED', output: { tableRowCount: 1 } })
    expect(replaced.leftovers({ database: DB, table: 'people' })).toEqual([])
  })

  it('replaces a table: columns and part list swapped in one update, the old version archived by Glue with its parts kept for it', async () => {
    const aws = fake({ counts: { rowsLoaded: 4, rowsRejected: 0 } })
    aws.givenTable(DB, 'people', ['j_old1', 'j_old2'], 9, [{ Name: 'x', Type: 'string' }], JSON.stringify([['x', 'string']]))
    const result = await run(aws, { mode: 'replace' })
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { tableRowCount: 4 } })
    const table = aws.tables.get(`${DB}.people`)!
    expect(table.Parameters.csvlake_parts).toBe(input.jobId)
    expect(table.StorageDescriptor.Columns).toEqual([{ Name: 'id', Type: 'bigint' }, { Name: 'name', Type: 'string' }])
    // A table from before versions were recorded was version 1: this is version 2, and says what made it.
    expect(table.Parameters).toMatchObject({ csvlake_version_number: '2', csvlake_part_rows: `${input.jobId}:4` })
    expect(JSON.parse(table.Parameters.csvlake_version!)).toEqual({ version: 2, operation: 'replace', fileId: input.fileId, fileName: input.fileName, jobId: input.jobId })
    expect(calls(aws, 'ReplaceTable')[0]).toMatchObject({ params: { SkipArchive: false } })
    // Glue archived version 1 (its parts and columns), and nothing was deleted: version 1 still reads its parts.
    expect(aws.archived.get(`${DB}.people`)?.map((t) => [t.Parameters.csvlake_parts, t.StorageDescriptor.Columns])).toEqual([['j_old1,j_old2', [{ Name: 'x', Type: 'string' }]]])
    expect(aws.deletedBefore()).toEqual([])
    expect(aws.leftovers({ database: DB, table: 'people' })).toEqual([])
  })

  it('numbers the versions a table made since versions are recorded: create 1, append 2 with each part\'s rows', async () => {
    const aws = fake({ counts: { rowsLoaded: 3, rowsRejected: 0 } })
    expect(await run(aws, { mode: 'create' })).toMatchObject({ status: 'SUCCEEDED' })
    const created = aws.tables.get(`${DB}.people`)!
    expect(created.Parameters).toMatchObject({ csvlake_version_number: '1', csvlake_part_rows: `${input.jobId}:3` })
    expect(JSON.parse(created.Parameters.csvlake_version!)).toMatchObject({ version: 1, operation: 'create' })
    const again = await run(aws, { mode: 'append', jobId: 'j_second' })
    expect(again).toMatchObject({ status: 'SUCCEEDED', output: { tableRowCount: 6 } })
    const appended = aws.tables.get(`${DB}.people`)!
    expect(appended.Parameters).toMatchObject({ csvlake_version_number: '2', csvlake_part_rows: `${input.jobId}:3,j_second:3`, csvlake_parts: `${input.jobId},j_second` })
    expect(JSON.parse(appended.Parameters.csvlake_version!)).toMatchObject({ version: 2, operation: 'append', jobId: 'j_second' })
    expect(aws.archived.get(`${DB}.people`)?.map((t) => t.Parameters.csvlake_version_number)).toEqual(['1'])
  })

  it('fails a create when the table appeared meanwhile, leaving the other table and removing its own part', async () => {
    const aws = fake()
    aws.givenTable(DB, 'people', ['j_other'], 2, [{ Name: 'id', Type: 'bigint' }], '[]')
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'FAILED', error: 'Glue.AlreadyExistsException' })
    expect(aws.tables.get(`${DB}.people`)!.Parameters.csvlake_parts).toBe('j_other')
    expect(aws.objects.has(PART)).toBe(false)
    expect(aws.leftovers()).toEqual([])
  })

  it('fails with Athena\'s StateChangeReason when the Parquet check query FAILED, and removes the part and both staging tables', async () => {
    const reason = "HIVE_BAD_DATA: Field id's type BINARY in parquet file s3://bucket/lake/t/people/ingest_job=j_1/data.parquet is incompatible with type bigint defined in table schema"
    const aws = fake({ faults: { CheckParquet: [athenaFailed(reason)] } })
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' })
    expect(parseCause((result as { cause: string }).cause)).toEqual({ code: 'PARQUET_CHECK_FAILED', message: reason })
    expect(aws.tables.has(`${DB}.people`)).toBe(false)
    expect(aws.leftovers()).toEqual([])
  })

  it('fails a conversion with the line the prepare job wrote, and removes its half-written part', async () => {
    const aws = fake({ conversionFails: { code: 'ROW_REJECTED', message: 'Line 3: Expected Number of Columns: 2 Found: 3', line: 3 } })
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.ConversionFailed' })
    expect(parseCause((result as { cause: string }).cause)).toMatchObject({ code: 'ROW_REJECTED', line: 3 })
    expect(aws.objects.has(PART)).toBe(false)
    expect(aws.leftovers()).toEqual([])
  })

  it('fails staging with the cause the prepare job wrote (a .csv.gz past the bound), and leaves nothing', async () => {
    const aws = fake({ stagingFails: { code: 'DECOMPRESSED_TOO_LARGE', message: 'This .csv.gz inflates to more than 5 GiB' } })
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'FAILED', error: 'Csvlake.StagingFailed' })
    expect(parseCause((result as { cause: string }).cause)).toEqual({ code: 'DECOMPRESSED_TOO_LARGE', message: 'This .csv.gz inflates to more than 5 GiB' })
    expect(result.steps.slice(0, 4)).toEqual(['ChooseFormat', 'StageFile', 'ReadStageError', 'CleanUpAfterFailure'])
    expect(aws.leftovers()).toEqual([])
  })

  it('fails when staging fails, and cleans up the nothing it made without failing again', async () => {
    const aws = fake({ faults: { StageFile: [() => { throw new Error('Job failed: DeadlineExceeded') }] } })
    const result = await run(aws)
    expect(result).toMatchObject({ status: 'FAILED', error: 'Error', cause: 'Job failed: DeadlineExceeded' })
    expect(result.steps).toEqual(['ChooseFormat', 'StageFile', 'ReadStageError', 'CleanUpAfterFailure', 'StopCrawlerIfCrawled', 'StopCrawler', 'CleanUp', 'DeleteClassifier', 'DeleteCrawledTable', 'DeleteParquetTable', 'DeleteStagedFiles', 'Finished', 'IngestFailed'])
    expect(aws.leftovers()).toEqual([])
  })

  it('goes on when the tenant database exists already', async () => {
    const aws = fake()
    aws.databases.add(DB)
    expect((await run(aws)).status).toBe('SUCCEEDED')
    expect(calls(aws, 'CreateDatabase')).toHaveLength(1)
  })
})
