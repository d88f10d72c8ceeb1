import { createReadStream, createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { convertColumnar } from '../core/adapters/local/duckdb-convert-columnar.ts'
import { profilePathOf } from '../core/adapters/local/duckdb-profile.ts'
import { readStoredParquetFooter } from '../core/files/parquet-file.ts'
import { taskError } from '../core/ingest/execution-input.ts'
import { profileKeyOf } from '../core/ingest/column-profile.ts'
import { refusalMessage } from '../core/ingest/parquet-columns.ts'
import { keys } from '../core/keys.ts'
import type { IngestInput } from '../core/ports/workflow.ts'
import type { PrepareJob } from './job.ts'
import type { PrepareDeps, StepReport } from './prepare.ts'

/**
 * The ConvertColumnar step as its EKS Job runs it (`ingest columnar`): the columnar branch for a
 * Parquet upload. The footer is read first through ranged reads, so a column Athena cannot read
 * fails the job before a byte of data is fetched; then the upload is copied to the scratch folder,
 * converted as local mode converts it (convertColumnar, on DuckDB), and the part, its column
 * profile and the outcome are uploaded where the state machine reads them.
 */
export async function columnar(deps: PrepareDeps, job: PrepareJob, input: IngestInput): Promise<StepReport> {
  const { names } = job
  const rawKey = keys.rawData(job.tenant, input.fileId)
  const size = await deps.store.size(rawKey)
  if (size === undefined) throw taskError('Csvlake.NOT_FOUND', { code: 'NOT_FOUND', message: 'The uploaded file is gone (deleted after the submit); upload it again.' })
  const footer = await readStoredParquetFooter(deps.store, rawKey, size)
  const refusal = refusalMessage(footer.columns)
  if (refusal) throw taskError('Csvlake.UnsupportedType', { code: 'UNSUPPORTED_TYPE', message: refusal })
  const source = join(deps.scratch, 'upload.parquet')
  const target = join(deps.scratch, 'data.parquet')
  await pipeline(await deps.store.get(rawKey), createWriteStream(source))
  const converted = await convertColumnar(deps, input, { source, target, columns: footer.columns })
  await deps.store.put(names.partKey, createReadStream(target))
  await deps.store.putBytes(profileKeyOf(names.partKey), await readFile(profilePathOf(target)))
  await deps.store.putBytes(names.outcomeKey, JSON.stringify(converted.outcome))
  const { rowsRead, rowsLoaded, rowsRejected } = converted.outcome
  return { step: 'columnar', bytes: size, outcome: { rowsRead, rowsLoaded, rowsRejected } }
}
