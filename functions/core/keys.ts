import type { TenantId } from './tenant.ts'

/** The object-store layout (the README's "Data layout"): every key starts with its kind and its tenant. */
export const keys = {
  rawPrefix: (t: TenantId) => `raw/${t}/`,
  rawData: (t: TenantId, fileId: string) => `raw/${t}/${fileId}/data`,
  rawMeta: (t: TenantId, fileId: string) => `raw/${t}/${fileId}/meta.json`,
  rawDir: (t: TenantId, fileId: string) => `raw/${t}/${fileId}/`,
  staging: (t: TenantId, jobId: string) => `staging/${t}/${jobId}/data.csv`,
  stagingDir: (t: TenantId, jobId: string) => `staging/${t}/${jobId}/`,
  lakeTenant: (t: TenantId) => `lake/${t}/`,
  lakeTable: (t: TenantId, table: string) => `lake/${t}/${table}/`,
  /** One job's Parquet part: the folder is Athena's partition of the table (ingest_job, read by partition projection). */
  lakePart: (t: TenantId, table: string, jobId: string) => `lake/${t}/${table}/ingest_job=${jobId}/data.parquet`,
  catalogEntry: (t: TenantId, table: string) => `catalog/${t}/${table}.json`,
  catalogPrefix: (t: TenantId) => `catalog/${t}/`,
  job: (t: TenantId, jobId: string) => `jobs/${t}/${jobId}.json`,
  jobsPrefix: () => `jobs/`,
  tenantJobs: (t: TenantId) => `jobs/${t}/`,
  /** An index of the jobs running now (an empty marker each), so start-up reads only those. */
  runningJob: (t: TenantId, jobId: string) => `running-jobs/${t}/${jobId}`,
  runningJobsPrefix: () => `running-jobs/`,
  /** Written once the index exists: a folder from before it is scanned whole, once. */
  runningJobsIndexed: () => `running-jobs/.indexed`,
  resultsTenant: (t: TenantId) => `results/${t}/`,
  resultDir: (t: TenantId, queryId: string) => `results/${t}/${queryId}/`,
  resultParquet: (t: TenantId, queryId: string) => `results/${t}/${queryId}/result.parquet`,
  resultCsv: (t: TenantId, queryId: string) => `results/${t}/${queryId}/result.csv`,
  resultJson: (t: TenantId, queryId: string) => `results/${t}/${queryId}/result.json`,
  query: (t: TenantId, queryId: string) => `queries/${t}/${queryId}.json`,
  /** An index of the queries whose RUNNING record was written (an empty marker each), for start-up. */
  runningQuery: (t: TenantId, queryId: string) => `running-queries/${t}/${queryId}`,
  /** A tenant's concurrency slots of one kind (StoreSlots): who holds one, until when. */
  slots: (t: TenantId, kind: string) => `slots/${t}/${kind}.json`,
  runningQueriesPrefix: () => `running-queries/`,
  /** Written once the index exists: a folder from before it is scanned whole, once. */
  runningQueriesIndexed: () => `running-queries/.indexed`,
  queriesPrefix: () => `queries/`,
  /** A tenant's queries, newest first (ids sort so). */
  tenantQueries: (t: TenantId) => `queries/${t}/`,
  savedQuery: (t: TenantId, id: string) => `saved-queries/${t}/${id}.json`,
  savedQueriesPrefix: (t: TenantId) => `saved-queries/${t}/`,
  /** A tenant's storage figure, saved by a clean shutdown so the next start need not measure it. */
  usage: (t: TenantId) => `usage/${t}.json`,
  /** Written by a clean shutdown, removed at start: without it the saved figures are not trusted. */
  usageClean: () => `usage/.clean`,
}
