import iconv from 'iconv-lite'
import { link, mkdir, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createWriteStream } from 'node:fs'
import { Transform } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { AppError } from '../../errors.ts'
import { taskError } from '../../ingest/execution-input.ts'
import { withoutPaths } from '../../ingest/path-free-message.ts'
import { inflateLimit, type InflateLimit, type UploadLimits } from '../../ingest/inflate-limit.ts'
import { registerTable } from '../../ingest/register-table.ts'
import { schemaDifferences } from '@csvlake/shared/schema-diff'
import { keys } from '../../keys.ts'
import type { Catalog, Column, TablePart } from '../../ports/catalog.ts'
import type { IngestInput, IngestResult } from '../../ports/workflow.ts'
import type { DiskObjectStore } from './disk-object-store.ts'
import { isCsvError, RowError, type DuckDbIngest } from './duckdb-ingest.ts'
import type { LocalGlue } from './local-glue.ts'

export type LocalTaskDeps = {
  store: DiskObjectStore
  catalog: Catalog
  glue: LocalGlue
  ingest: DuckDbIngest
  now: () => Date
  /** What an upload may be; a .csv.gz inflates to no more (see inflateLimit). */
  limits: UploadLimits
}

type Params = Record<string, unknown>
type Handler = (params: Params) => Promise<unknown>

/** What the job learns as it runs, for its record; the state machine carries only AWS shapes. */
export type TaskProgress = { result?: IngestResult }

/**
 * The local stand-ins for the state machine's Task states, by state name. Each does what its AWS
 * integration does, on the local adapters, and returns the same response shape.
 */
export function localIngestTasks(deps: LocalTaskDeps, input: IngestInput, progress: TaskProgress): Record<string, Handler> {
  const staged = keys.staging(input.tenant, input.jobId)
  const partKey = keys.lakePart(input.tenant, input.table, input.jobId)
  let crawled: Column[] | undefined
  let sampled = false
  let converted: { rowsLoaded: number; rowsRejected: number; rejected: IngestResult['rejected']; columns: Column[] } | undefined
  let registered = false

  const cleanUp = async () => {
    deps.glue.deleteCrawler(`csvlake-${input.jobId}`)
    await deps.store.deletePrefix(keys.stagingDir(input.tenant, input.jobId))
  }

  return withoutDataFolder(deps.store.root, {
    StageFile: async () => {
      await stage(deps, input, staged)
      return { CopyObjectResult: { LastModified: deps.now().toISOString() } }
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
    GetCrawler: async (p) => deps.glue.getCrawler(String(p.Name)),
    GetCrawledTable: async (p) => {
      const table = deps.glue.getTable(String(p.DatabaseName), String(p.Name))
      crawled = table.Table.StorageDescriptor.Columns
      sampled = table.Table.Parameters['csvlake.sampled'] === 'true'
      return table
    },
    ConvertToParquet: async () => {
      if (!crawled) throw taskError('States.TaskFailed', { code: 'INTERNAL', message: 'No crawled schema to convert with' })
      const source = deps.store.pathOf(staged)
      const target = deps.store.pathOf(partKey)
      // Skipping bad rows needs types from every row: a sampled type would turn good rows into rejects.
      if (sampled && input.onError === 'skip') crawled = await deps.ingest.crawl(source, input.dialect, { wholeFile: true })
      const convert = async (types: Column[], guarded: boolean) => {
        const columns = await appendTypes(deps.catalog, input, types)
        return { ...(await deps.ingest.convert(source, input.dialect, columns, target, input.onError, { guarded })), columns }
      }
      try {
        try {
          converted = await convert(crawled, sampled && input.onError === 'fail')
        } catch (err) {
          // A value the sampled types do not hold: infer from every row, then convert again.
          if (!(sampled && input.onError === 'fail' && isCsvError(err))) throw err
          converted = await convert(await deps.ingest.crawl(source, input.dialect, { wholeFile: true }), false)
        }
        return {
          QueryExecution: {
            QueryExecutionId: input.jobId,
            Statistics: { RowsLoaded: converted.rowsLoaded, RowsRejected: converted.rowsRejected },
          },
        }
      } catch (err) {
        if (err instanceof RowError) {
          throw taskError('Csvlake.RowRejected', { code: 'ROW_REJECTED', message: err.message, line: err.line, column: err.column, value: err.value })
        }
        throw err
      }
    },
    RegisterTable: async () => {
      if (!converted) throw taskError('States.TaskFailed', { code: 'INTERNAL', message: 'Nothing was converted' })
      const { rowsLoaded, rowsRejected, rejected, columns } = converted
      const part = { key: partKey, rows: rowsLoaded, jobId: input.jobId, fileId: input.fileId }
      let dropParts: TablePart[] = []
      let entry
      try {
        // One change to a table at a time: two appends never lose one another's part.
        entry = await deps.catalog.update(input.tenant, input.table, (existing) => {
          const registration = registerTable(existing, input, columns, part, deps.now())
          dropParts = registration.dropParts
          return registration.entry
        })
      } catch (err) {
        if (err instanceof AppError) throw taskError(`Csvlake.${err.code}`, { code: err.code, message: err.message })
        throw err
      }
      registered = true
      // The entry was written atomically first; the replaced parts are deleted only after.
      for (const old of dropParts) await deps.store.deletePrefix(dirname(old.key) + '/')
      progress.result = {
        table: input.table,
        columns: entry.columns,
        rowsRead: rowsLoaded + rowsRejected,
        rowsLoaded,
        rowsRejected,
        rejected,
        tableRowCount: entry.rowCount,
      }
      return { table: input.table, rowCount: entry.rowCount }
    },
    CleanUp: async () => {
      await cleanUp()
      return {}
    },
    CleanUpAfterFailure: async () => {
      await cleanUp()
      if (!registered) await deps.store.deletePrefix(dirname(partKey) + '/')
      return {}
    },
  })
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

/** Appending keeps the table's types, so a column that widens (int -> double) loads as the table has it. */
async function appendTypes(catalog: Catalog, input: IngestInput, crawled: Column[]): Promise<Column[]> {
  if (input.mode !== 'append') return crawled
  const existing = await catalog.get(input.tenant, input.table)
  return existing && schemaDifferences(existing.columns, crawled).length === 0 ? existing.columns : crawled
}

/**
 * The staged copy is plain UTF-8 CSV whatever was uploaded: gzip is inflated (counting, up to
 * the bound of inflateLimit) and other encodings are transcoded on the way, streaming. A plain
 * UTF-8 upload is hard-linked (raw bytes are immutable).
 */
async function stage(deps: LocalTaskDeps, input: IngestInput, stagedKey: string): Promise<void> {
  const { store } = deps
  const rawPath = store.pathOf(keys.rawData(input.tenant, input.fileId))
  const target = store.pathOf(stagedKey)
  await mkdir(dirname(target), { recursive: true })
  await rm(target, { force: true })
  const encoding = input.dialect.encoding.toLowerCase()
  const plain = input.dialect.compression === 'none' && !input.dialect.bom && (encoding === 'utf-8' || encoding === 'utf8')
  if (plain) {
    try {
      await link(rawPath, target)
      return
    } catch {
      // Another file system: fall through to a copy.
    }
  }
  if (!iconv.encodingExists(encoding)) {
    throw taskError('Csvlake.BadEncoding', { code: 'BAD_ENCODING', message: `Unknown encoding ${input.dialect.encoding}` })
  }
  const gzip = input.dialect.compression === 'gzip'
  const limit = gzip ? await inflateLimit(store, input.tenant, input.fileId, deps.limits) : undefined
  try {
    const raw = await store.get(keys.rawData(input.tenant, input.fileId))
    // Counted as it lands, after the transcoding: what is bounded is what the disk holds.
    const steps: NodeJS.ReadWriteStream[] = [
      ...(gzip ? [createGunzip()] : []),
      iconv.decodeStream(encoding, { stripBOM: true }),
      iconv.encodeStream('utf-8'),
      ...(limit ? [stopPast(limit)] : []),
    ]
    await pipeline([raw, ...steps, createWriteStream(target)])
  } catch (err) {
    // Nothing half-inflated stays behind, even before CleanUpAfterFailure runs.
    await rm(target, { force: true })
    throw err
  } finally {
    limit?.release()
  }
}

/** Passes bytes on until more than the limit have gone by, then fails the pipeline. */
function stopPast(limit: InflateLimit): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength
      if (seen > limit.bytes) done(taskError('Csvlake.DecompressedTooLarge', { code: 'DECOMPRESSED_TOO_LARGE', message: limit.message }))
      else done(null, chunk)
    },
  })
}
