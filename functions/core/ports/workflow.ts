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
}

export type RejectedRow = { line: number; column: string | null; value: string | null; message: string }

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
}

/** Runs the ingest state machine: in process locally, Step Functions on AWS. */
export interface Workflow {
  start(input: IngestInput): Promise<JobRecord>
  /** Throws AppError NOT_FOUND for an unknown id or another tenant's. */
  describe(tenant: TenantId, jobId: string): Promise<JobRecord>
  /**
   * A page of the tenant's jobs, newest first, after the job `after` (the `after` of the page
   * before); `after` is answered when more may follow. Costs a page, not the tenant's history.
   */
  list(tenant: TenantId, page: { limit: number; after?: string }): Promise<{ jobs: JobRecord[]; after?: string }>
  /** Called at start-up: executions that were running when the process died end FAILED. */
  recover(): Promise<number>
  close(): Promise<void>
}
