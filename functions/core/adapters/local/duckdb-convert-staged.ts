import { schemaDifferences } from '@csvlake/shared/schema-diff'
import { conversionOutcome, shortValue, taskError, type ConversionOutcome } from '../../ingest/execution-input.ts'
import type { Catalog, Column } from '../../ports/catalog.ts'
import type { IngestInput } from '../../ports/workflow.ts'
import { isCsvError, RowError, type DuckDbIngest } from './duckdb-ingest.ts'
import { writePartProfile } from './duckdb-profile.ts'

export type ConvertStagedDeps = { catalog: Catalog; ingest: DuckDbIngest }

/** The staged file on disk, where its Parquet goes, and the columns the crawl found (`sampled`: from the first rows only). */
export type StagedFile = { source: string; target: string; crawled: Column[]; sampled: boolean }

export type Converted = { columns: Column[]; rows: number; outcome: ConversionOutcome }

/**
 * The ConvertToParquet step, the same locally and in the prepare image on AWS: every value is
 * checked against its type. Sampled types are guarded (a value they do not hold sends the
 * conversion back for types from every row); skipping bad rows needs types from every row, or a
 * sampled type would turn good rows into rejects. An append keeps the table's types when the
 * crawl fits them, and fails naming the columns when it does not, before anything is registered.
 * The part's column profile is written beside it as `_profile.json` (duckdb-profile.ts).
 */
export async function convertStaged(deps: ConvertStagedDeps, input: IngestInput, staged: StagedFile): Promise<Converted> {
  const { source, target, sampled } = staged
  const crawl = () => deps.ingest.crawl(source, input.dialect, { wholeFile: true })
  const crawled = sampled && input.onError === 'skip' ? await crawl() : staged.crawled
  const run = async (types: Column[], guarded: boolean) => {
    const columns = await appendTypes(deps.catalog, input, types)
    return { ...(await deps.ingest.convert(source, input.dialect, columns, target, input.onError, { guarded })), columns }
  }
  let result
  try {
    result = await run(crawled, sampled && input.onError === 'fail')
  } catch (err) {
    // A value the sampled types do not hold: infer from every row, then convert again.
    if (!(sampled && input.onError === 'fail' && isCsvError(err))) throw err
    result = await run(await crawl(), false)
  }
  await refuseSchemaDrift(deps.catalog, input, result.columns)
  // Profiled from the part just written, beside it: the table's page reads it. A profile is not
  // worth a load: if it fails, the part has none and the table's profile says it is partial.
  await writePartProfile(deps.ingest, target, result.columns).catch(() => undefined)
  return { columns: result.columns, rows: result.rowsLoaded, outcome: conversionOutcome(result.columns, result) }
}

/**
 * A conversion's failure as the state machine carries it: a row that could not load becomes
 * Csvlake.RowRejected with its line, column and (short) value; anything else is left as it is.
 */
export function conversionFailure(err: unknown): unknown {
  if (!(err instanceof RowError)) return err
  const message = err.message.length > 1000 ? `${err.message.slice(0, 1000)}…` : err.message
  return taskError('Csvlake.RowRejected', { code: 'ROW_REJECTED', message, line: err.line, column: err.column, value: shortValue(err.value ?? null) ?? undefined })
}

/** An append whose types do not fit the table fails here, naming the columns, before anything is registered. */
async function refuseSchemaDrift(catalog: Catalog, input: IngestInput, columns: Column[]): Promise<void> {
  if (input.mode !== 'append') return
  const existing = await catalog.get(input.tenant, input.table)
  if (!existing) return
  const problems = schemaDifferences(existing.columns, columns)
  if (problems.length) {
    throw taskError('Csvlake.SCHEMA_MISMATCH', { code: 'SCHEMA_MISMATCH', message: `Cannot append to ${input.table}: ${problems.join('; ')}.` })
  }
}

/** Appending keeps the table's types, so a column that widens (int -> double) loads as the table has it. */
async function appendTypes(catalog: Catalog, input: IngestInput, crawled: Column[]): Promise<Column[]> {
  if (input.mode !== 'append') return crawled
  const existing = await catalog.get(input.tenant, input.table)
  return existing && schemaDifferences(existing.columns, crawled).length === 0 ? existing.columns : crawled
}
