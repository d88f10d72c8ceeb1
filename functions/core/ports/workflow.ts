import type { TenantId } from '../tenant.ts'
import type { Column } from './catalog.ts'
import type { Dialect } from '../ingest/dialect.ts'

export type JobStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED'
export type StepStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT'

/** One state of the execution as it ran (a Choice loop shows each pass). */
export type JobStep = {
  name: string
  type: string
  status: StepStatus
  startedAt: string
  endedAt?: string
  error?: string
  /** How many times a Choice loop entered this state; absent when once. */
  passes?: number
  /** How many times a Retry re-ran this state. */
  retries?: number
}

export type WriteMode = 'create' | 'append' | 'replace'
export type OnError = 'fail' | 'skip'

/** What `POST /api/submit` hands the ingest workflow. */
export type IngestInput = {
  jobId: string
  tenant: TenantId
  fileId: string
  fileName: string
  table: string
  mode: WriteMode
  onError: OnError
  dialect: Dialect
  /**
   * What the upload holds: the state machine's first Choice takes a Parquet file down the columnar
   * branch (no staging, crawl or CSV conversion). Absent on jobs submitted before formats: CSV.
   */
  format?: 'csv' | 'parquet'
}

export type RejectedRow = { line: number; column: string | null; value: string | null; message: string }

/** What a job loaded: on both backends, the output of the execution's last state (IngestSucceeded). */
export type IngestResult = {
  table: string
  columns: Column[]
  rowsRead: number
  rowsLoaded: number
  rowsRejected: number
  rejected: RejectedRow[]
  tableRowCount: number
}

export type JobRecord = {
  jobId: string
  tenant: TenantId
  input: IngestInput
  status: JobStatus
  startedAt: string
  endedAt?: string
  steps: JobStep[]
  result?: IngestResult
  error?: { code: string; message: string; line?: number; column?: string; value?: string }
  /** The Step Functions execution ARN on AWS; a local id otherwise. */
  executionArn: string
  /** The execution's page in the Step Functions console (aws mode; local mode has none). */
  consoleUrl?: string
}

/**
 * Runs the ingest state machine (`statemachines/ingest.asl.json`): in process locally
 * (LocalWorkflow), on Step Functions in aws mode (StepFunctionsWorkflow, over the SDK's SFN client; FakeStepFunctions in tests).
 *
 * Shaped so Step Functions can honour it with no process following an execution:
 * - one execution per job, named by the job id; the job's result is the execution's output and its
 *   error the execution's error and cause - nothing reaches the record by a side channel;
 * - status and steps are read from the execution's history (DescribeExecution, then
 *   GetExecutionHistory paged forward), so any replica, one just scaled up from zero included,
 *   answers for any job;
 * - jobs are listed from an index the start writes per tenant (`jobs/{tenant}/{jobId}.json`),
 *   since ListExecutions cannot filter by tenant;
 * - the per-tenant running limit is counted where every replica sees it (slots claimed by
 *   conditional writes in the store) on Step Functions; locally one process runs every job, and
 *   counts them in memory.
 */
export interface Workflow {
  /**
   * Starts the job's execution and answers its RUNNING record. Idempotent by job id, as
   * StartExecution is by name: starting a job again answers the first start. Throws AppError
   * TOO_MANY_REQUESTS when the tenant has as many jobs running as it may.
   */
  start(input: IngestInput): Promise<JobRecord>
  /**
   * The job as its execution stands: steps, and the result (SUCCEEDED) or error (FAILED).
   * Throws AppError NOT_FOUND for an unknown id or another tenant's (the index is per tenant).
   */
  describe(tenant: TenantId, jobId: string): Promise<JobRecord>
  /**
   * A page of the tenant's jobs, newest first, after the job `after` (the `after` of the page
   * before); `after` is answered when more may follow. Costs a page of the tenant's index, not
   * its history (job ids sort newest first).
   */
  list(tenant: TenantId, page: { limit: number; after?: string }): Promise<{ jobs: JobRecord[]; after?: string }>
  /**
   * Local-only reconciliation, called at start-up: LocalWorkflow marks FAILED the jobs whose
   * process died while they ran (and removes what they staged), since nothing else runs them.
   * Step Functions does not lose executions when a replica stops: there it does nothing (0).
   */
  recover(): Promise<number>
  close(): Promise<void>
}
