import { createReadStream, createWriteStream } from 'node:fs'
import { PassThrough } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { GlueApi } from '../core/adapters/aws/glue-api.ts'
import { conversionFailure, convertStaged } from '../core/adapters/local/duckdb-convert-staged.ts'
import type { DuckDbIngest } from '../core/adapters/local/duckdb-ingest.ts'
import { profilePathOf } from '../core/adapters/local/duckdb-profile.ts'
import { AppError } from '../core/errors.ts'
import { profileKeyOf } from '../core/ingest/column-profile.ts'
import { taskError, type ConversionOutcome } from '../core/ingest/execution-input.ts'
import { inflateLimit, type UploadLimits } from '../core/ingest/inflate-limit.ts'
import { withoutPaths } from '../core/ingest/path-free-message.ts'
import { stagingSteps } from '../core/ingest/staging-steps.ts'
import { readJson } from '../core/json-records.ts'
import { keys } from '../core/keys.ts'
import type { Catalog, Column } from '../core/ports/catalog.ts'
import type { ObjectStore } from '../core/ports/object-store.ts'
import type { IngestInput, JobRecord } from '../core/ports/workflow.ts'
import { columnar } from './columnar.ts'
import type { PrepareJob } from './job.ts'

export type PrepareDeps = {
  /** The bucket (S3ObjectStore in the image). */
  store: ObjectStore
  /** Glue, for the crawled table's columns (GetTable on the staging database). */
  glue: Pick<GlueApi, 'getTable'>
  /** The tenant's tables, for an append's types. */
  catalog: Catalog
  /** The crawler and converter, on a DuckDB instance of the Job's own. */
  ingest: DuckDbIngest
  /** A folder of this run's own (the Job's emptyDir), for the staged copy and the Parquet file. */
  scratch: string
  /** How far a .csv.gz may inflate (the upload bound, and the tenant's quota left). */
  limits: UploadLimits
}

/** What a step did, for the Job's log line. */
export type StepReport = { step: PrepareJob['step']; bytes?: number; outcome?: Pick<ConversionOutcome, 'rowsRead' | 'rowsLoaded' | 'rowsRejected'> }

/**
 * Runs one step of the ingest state machine, as its EKS Job (`eks:runJob.sync`) does on AWS:
 * - `stage` streams the upload from raw/ to `stagedKey` as plain UTF-8 CSV with even line endings
 *   (inflated within the bound, transcoded, the BOM dropped), a multipart upload as it goes;
 * - `convert` reads the crawled columns from Glue, copies the staged file to the scratch folder,
 *   converts it exactly as local mode does (convertStaged, on DuckDB: every value checked) and
 *   uploads the Parquet part to `partKey` and its column profile beside it (`_profile.json`), then
 *   its outcome to `outcomeKey`.
 * On failure the cause (code, message; a rejected row's line, column and value) is written to
 * `outcomeKey`, where the state machine's ReadStageError / ReadConversionError find it, and the
 * error is thrown, so the Job fails.
 */
export async function runPrepareStep(deps: PrepareDeps, job: PrepareJob): Promise<StepReport> {
  try {
    const input = await readInput(deps.store, job)
    if (job.step === 'columnar') return await columnar(deps, job, input)
    return job.step === 'stage' ? await stage(deps, job, input) : await convert(deps, job, input)
  } catch (err) {
    const cause = failureCause(err, deps.scratch)
    await deps.store.putBytes(job.names.outcomeKey, JSON.stringify(cause)).catch(() => undefined)
    throw err
  }
}

/** The job's input, as the submit wrote it in the job index (create-only, so it is the one the execution started with). */
async function readInput(store: ObjectStore, job: PrepareJob): Promise<IngestInput> {
  const record = await readJson<JobRecord>(store, keys.job(job.tenant, job.jobId))
  if (!record || record.tenant !== job.tenant || record.input?.jobId !== job.jobId) {
    throw taskError('Csvlake.JobNotFound', { code: 'NOT_FOUND', message: `Job ${job.jobId} has no record; submit the file again.` })
  }
  return record.input
}

async function stage(deps: PrepareDeps, job: PrepareJob, input: IngestInput): Promise<StepReport> {
  const gzip = input.dialect.compression === 'gzip'
  const limit = gzip ? await inflateLimit(deps.store, job.tenant, input.fileId, deps.limits) : undefined
  try {
    const steps = stagingSteps(input.dialect, { ...(limit ? { limit } : {}), even: true })
    const raw = await deps.store.get(keys.rawData(job.tenant, input.fileId))
    const body = new PassThrough()
    // A step that fails ends `body` with its error: the upload is aborted and nothing is staged.
    // Both are awaited to the end, so the abort is done before the Job exits; the step's own
    // error (a .csv.gz past the bound, say) is the one reported.
    const [put, piped] = await Promise.allSettled([deps.store.put(job.names.stagedKey, body), pipeline([raw, ...steps, body])])
    if (piped.status === 'rejected') throw piped.reason
    if (put.status === 'rejected') throw put.reason
    return { step: 'stage', bytes: put.value.bytes }
  } finally {
    limit?.release()
  }
}

async function convert(deps: PrepareDeps, job: PrepareJob, input: IngestInput): Promise<StepReport> {
  const { names } = job
  const crawledTable = await deps.glue.getTable({ DatabaseName: names.stagingDatabase, Name: names.crawledTable })
  const crawled: Column[] = (crawledTable.Table?.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? 'string' }))
  if (crawled.length === 0) throw taskError('Csvlake.NothingCrawled', { code: 'NOTHING_CRAWLED', message: 'The crawler found no columns in the file.' })
  // A Glue crawler types a CSV from its first rows: sampled, unless csvlake's own crawl says otherwise.
  const sampled = crawledTable.Table?.Parameters?.['csvlake.sampled'] !== 'false'
  const source = join(deps.scratch, 'data.csv')
  const target = join(deps.scratch, 'data.parquet')
  await pipeline(await deps.store.get(names.stagedKey), createWriteStream(source))
  const converted = await convertStaged(deps, input, { source, target, crawled, sampled })
  await deps.store.put(names.partKey, createReadStream(target))
  // The part's column profile, written beside it by the conversion, goes beside it in the bucket
  // too (if profiling failed there is none, and the table's profile says it is partial).
  const profile = await readFile(profilePathOf(target)).catch(() => undefined)
  if (profile) await deps.store.putBytes(profileKeyOf(names.partKey), profile)
  await deps.store.putBytes(names.outcomeKey, JSON.stringify(converted.outcome))
  const { rowsRead, rowsLoaded, rowsRejected } = converted.outcome
  return { step: 'convert', outcome: { rowsRead, rowsLoaded, rowsRejected } }
}

/**
 * The cause the state machine shows as the job's error: csvlake's own (a rejected row with its
 * line, a staging bound) as they are, anything else as INGEST_FAILED with its message, the
 * scratch folder's path taken out.
 */
export function failureCause(err: unknown, scratch: string): { code: string; message: string; [k: string]: unknown } {
  const failure = conversionFailure(err)
  if (failure instanceof AppError) return { code: failure.code, message: failure.message }
  const message = failure instanceof Error ? failure.message : String(failure)
  if (message.startsWith('{')) {
    try {
      const cause = JSON.parse(message) as { code?: unknown; message?: unknown }
      if (typeof cause.code === 'string' && typeof cause.message === 'string') return cause as { code: string; message: string }
    } catch {
      // not one of ours
    }
  }
  return { code: 'INGEST_FAILED', message: withoutPaths(message, { [scratch]: "the job's scratch folder" }) }
}
