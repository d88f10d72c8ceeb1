import { link, mkdir, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createWriteStream } from 'node:fs'
import { AppError } from '../../errors.ts'
import { schemaKey, taskError } from '../../ingest/execution-input.ts'
import { withoutPaths } from '../../ingest/path-free-message.ts'
import { readStoredParquetFooter } from '../../files/parquet-file.ts'
import { inflateLimit, type UploadLimits } from '../../ingest/inflate-limit.ts'
import { registerTable } from '../../ingest/register-table.ts'
import type { VersionRetention } from '../../ingest/table-versions.ts'
import { isPlainUtf8, stagingSteps } from '../../ingest/staging-steps.ts'
import { keys } from '../../keys.ts'
import type { Catalog, Column, TableEntry, TablePart } from '../../ports/catalog.ts'
import type { IngestInput } from '../../ports/workflow.ts'
import type { DiskObjectStore } from './disk-object-store.ts'
import { convertColumnar } from './duckdb-convert-columnar.ts'
import { conversionFailure, convertStaged } from './duckdb-convert-staged.ts'
import type { DuckDbIngest } from './duckdb-ingest.ts'
import type { LocalGlue } from './local-glue.ts'

export type LocalTaskDeps = {
  store: DiskObjectStore
  catalog: Catalog
  glue: LocalGlue
  ingest: DuckDbIngest
  now: () => Date
  /** What an upload may be; a .csv.gz inflates to no more (see inflateLimit). */
  limits: UploadLimits
  /** How long replaced versions' parts are kept (for time travel and rollback). */
  retention?: VersionRetention
}

/** How long one local GetCrawler waits for the crawl to end: the ASL's poll cap times this is how long a local crawl may take. */
const CRAWL_POLL_MS = 15_000

type Params = Record<string, unknown>
type Handler = (params: Params) => Promise<unknown>

/**
 * The local stand-ins for the state machine's Task states, by state name. Each does what its AWS
 * integration does, on the local adapters, and answers its response shape; what a later state needs
 * travels in the state, as on Step Functions (the conversion's outcome is an object in the store,
 * read back by ReadConversion as S3 GetObject would), and the job's result is the execution's output.
 */
export function localIngestTasks(deps: LocalTaskDeps, input: IngestInput): Record<string, Handler> {
  const staged = keys.staging(input.tenant, input.jobId)
  const outcomeKey = keys.stagingDir(input.tenant, input.jobId) + 'outcome.json'
  const partKey = keys.lakePart(input.tenant, input.table, input.jobId)
  const crawlerName = `csvlake-${input.jobId}`
  let crawled: Column[] | undefined
  let sampled = false
  let converted: { columns: Column[]; rows: number } | undefined
  let registered = false

  const getObject = async () => {
    const body = await deps.store.getBytes(outcomeKey)
    if (!body) throw taskError('S3.NoSuchKey', { code: 'NoSuchKey', message: 'The specified key does not exist.' })
    return { Body: Buffer.from(body).toString('utf8'), ContentType: 'application/json' }
  }

  /** Glue UpdateTable/CreateTable on the local catalog: one change at a time, refused when the table moved on since VersionId. */
  const register = async (versionId?: string) => {
    if (!converted) throw taskError('States.TaskFailed', { code: 'INTERNAL', message: 'Nothing was converted' })
    const { columns, rows } = converted
    const part = { key: partKey, rows, jobId: input.jobId, fileId: input.fileId }
    let dropParts: TablePart[] = []
    try {
      await deps.catalog.update(input.tenant, input.table, (existing) => {
        if (versionId !== undefined && (!existing || versionOf(existing) !== versionId)) {
          throw taskError('Glue.ConcurrentModificationException', { code: 'CONFLICT', message: `Table ${input.table} changed since it was read` })
        }
        const registration = registerTable(existing, input, columns, part, deps.now(), deps.retention)
        dropParts = registration.dropParts
        return registration.entry
      })
    } catch (err) {
      if (err instanceof AppError) {
        const name = err.code === 'TABLE_EXISTS' ? 'Glue.AlreadyExistsException' : `Csvlake.${err.code}`
        throw taskError(name, { code: err.code, message: err.message })
      }
      throw err
    }
    registered = true
    // The entry was written atomically first; parts no kept version reads are deleted only after.
    for (const old of dropParts) await deps.store.deletePrefix(dirname(old.key) + '/')
    return {}
  }

  return withoutDataFolder(deps.store.root, {
    StageFile: async () => {
      await stage(deps, input, staged)
      return { status: { succeeded: 1 } }
    },
    CreateClassifier: async (p) => {
      const csv = p.CsvClassifier as { Name: string; Delimiter: string; QuoteSymbol: string }
      if (csv.Delimiter !== input.dialect.delimiter || csv.QuoteSymbol !== input.dialect.quote) {
        throw taskError('Glue.InvalidInputException', { code: 'BAD_CLASSIFIER', message: 'The classifier does not match the dialect' })
      }
      return deps.glue.createClassifier(csv.Name, input.dialect)
    },
    CreateCrawler: async (p) => deps.glue.createCrawler(p as Parameters<LocalGlue['createCrawler']>[0]),
    StartCrawler: async (p) => deps.glue.startCrawler(String(p.Name)),
    GetCrawler: async (p) => {
      // A poll answers once the crawl has ended, or after what a poll waits on Glue (see LocalGlue.settled).
      await deps.glue.settled(String(p.Name), CRAWL_POLL_MS)
      return deps.glue.getCrawler(String(p.Name))
    },
    GetCrawledTable: async (p) => {
      const table = deps.glue.getTable(String(p.DatabaseName), String(p.Name))
      crawled = table.Table.StorageDescriptor.Columns
      sampled = table.Table.Parameters['csvlake.sampled'] === 'true'
      return table
    },
    ConvertToParquet: async () => {
      try {
        if (!crawled) throw taskError('States.TaskFailed', { code: 'INTERNAL', message: 'No crawled schema to convert with' })
        const result = await convertStaged(deps, input, { source: deps.store.pathOf(staged), target: deps.store.pathOf(partKey), crawled, sampled })
        converted = { columns: result.columns, rows: result.rows }
        await deps.store.putBytes(outcomeKey, JSON.stringify(result.outcome))
        return { status: { succeeded: 1 } }
      } catch (err) {
        const failure = conversionFailure(err)
        // As the prepare image does: the cause, for ReadConversionError, then the Job fails.
        if (failure instanceof Error && failure.message.startsWith('{')) await deps.store.putBytes(outcomeKey, failure.message).catch(() => undefined)
        throw failure
      }
    },
    // The columnar branch: a Parquet upload is read where it lies (raw bytes are immutable), no staging or crawl.
    ConvertColumnar: async () => {
      try {
        const rawKey = keys.rawData(input.tenant, input.fileId)
        const footer = await readStoredParquetFooter(deps.store, rawKey, (await deps.store.size(rawKey)) ?? 0)
        const result = await convertColumnar(deps, input, { source: deps.store.pathOf(rawKey), target: deps.store.pathOf(partKey), columns: footer.columns })
        converted = { columns: result.columns, rows: result.rows }
        await deps.store.putBytes(outcomeKey, JSON.stringify(result.outcome))
        return { status: { succeeded: 1 } }
      } catch (err) {
        const failure = err instanceof AppError ? taskError(`Csvlake.${err.code}`, { code: err.code, message: err.message }) : err
        // As the prepare image does: the cause, for ReadConversionError, then the Job fails.
        if (failure instanceof Error && failure.message.startsWith('{')) await deps.store.putBytes(outcomeKey, failure.message).catch(() => undefined)
        throw failure
      }
    },
    ReadConversion: getObject,
    // Local staging throws its cause itself and writes no outcome: NoSuchKey keeps that cause.
    ReadStageError: getObject,
    ReadConversionError: getObject,
    // DuckDB wrote the Parquet with these very types: there is no second engine to check it with.
    CreateParquetTable: async () => ({}),
    CheckParquet: async () => ({ QueryExecution: { QueryExecutionId: input.jobId, Status: { State: 'SUCCEEDED' } } }),
    // One JSON catalog holds every tenant's tables: there is no database to make.
    CreateDatabase: async () => ({}),
    ReadTable: async () => {
      const entry = await deps.catalog.get(input.tenant, input.table)
      if (!entry) {
        throw taskError('Glue.EntityNotFoundException', { code: 'NOT_FOUND', message: `There is no table ${input.table} to append to; submit with mode "create".` })
      }
      return {
        Table: {
          Name: entry.name,
          VersionId: versionOf(entry),
          Parameters: { csvlake_parts: entry.parts.map((p) => p.jobId).join(','), csvlake_rows: String(entry.rowCount), csvlake_schema: schemaKey(entry.columns) },
        },
      }
    },
    CreateTable: async () => register(),
    AppendPart: async (p) => register(String(p.VersionId)),
    ReplaceTable: async (p) => register(String(p.VersionId)),
    CleanUpAfterFailure: async () => {
      if (!registered) await deps.store.deletePrefix(dirname(partKey) + '/')
      return {}
    },
    StopCrawler: async () => ({}),
    CleanUp: async () => deps.glue.deleteCrawler(crawlerName),
    DeleteClassifier: async () => deps.glue.deleteClassifier(crawlerName),
    DeleteCrawledTable: async (p) => deps.glue.deleteTable(String(p.DatabaseName), String(p.Name)),
    DeleteParquetTable: async () => ({}),
    DeleteStagedFiles: async () => {
      await deps.store.deletePrefix(keys.stagingDir(input.tenant, input.jobId))
      return { Deleted: [] }
    },
  })
}

/** Glue's VersionId, locally: what changes whenever the entry does. */
function versionOf(entry: TableEntry): string {
  return `${entry.updatedAt}#${entry.parts.length}#${entry.rowCount}`
}

/**
 * Task errors become the job's error, which users read: whatever a task throws (a file system
 * error names its path) says "the data folder" instead of where it is. The name, which Retry and
 * Catch match on, stays.
 */
function withoutDataFolder(root: string, handlers: Record<string, Handler>): Record<string, Handler> {
  const wrap = (handler: Handler): Handler => async (params) => {
    try {
      return await handler(params)
    } catch (err) {
      if (err instanceof Error) err.message = withoutPaths(err.message, { [root]: 'the data folder' })
      throw err
    }
  }
  return Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, wrap(handler)]))
}

/**
 * The staged copy is plain UTF-8 CSV whatever was uploaded: gzip is inflated (counting, up to
 * the bound of inflateLimit) and other encodings are transcoded on the way, streaming
 * (stagingSteps, as the prepare image stages on AWS). A plain UTF-8 upload is hard-linked (raw
 * bytes are immutable).
 */
async function stage(deps: LocalTaskDeps, input: IngestInput, stagedKey: string): Promise<void> {
  const { store } = deps
  const rawPath = store.pathOf(keys.rawData(input.tenant, input.fileId))
  const target = store.pathOf(stagedKey)
  await mkdir(dirname(target), { recursive: true })
  await rm(target, { force: true })
  if (isPlainUtf8(input.dialect)) {
    try {
      await link(rawPath, target)
      return
    } catch {
      // Another file system: fall through to a copy.
    }
  }
  const limit = input.dialect.compression === 'gzip' ? await inflateLimit(store, input.tenant, input.fileId, deps.limits) : undefined
  try {
    const steps = stagingSteps(input.dialect, limit ? { limit } : {})
    const raw = await store.get(keys.rawData(input.tenant, input.fileId))
    await pipeline([raw, ...steps, createWriteStream(target)])
  } catch (err) {
    // Nothing half-inflated stays behind, even before CleanUpAfterFailure runs.
    await rm(target, { force: true })
    throw err
  } finally {
    limit?.release()
  }
}
