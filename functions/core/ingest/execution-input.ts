import type { IngestInput } from '../ports/workflow.ts'

/** The names the state machine's AWS integrations need, derived from one submit. */
export type ExecutionNames = { bucket: string; crawlerRole: string; workGroup: string }

/** The input of one execution of `statemachines/ingest.asl.json`. */
export function executionInput(input: IngestInput, names: ExecutionNames) {
  return {
    ...input,
    bucket: names.bucket,
    crawlerRole: names.crawlerRole,
    workGroup: names.workGroup,
    crawlerName: `csvlake-${input.jobId}`,
    database: `csvlake_${input.tenant.replaceAll('-', '_')}`,
    stagingDatabase: `csvlake_staging_${input.tenant.replaceAll('-', '_')}`,
    containsHeader: input.dialect.header ? 'PRESENT' : 'ABSENT',
  }
}

/**
 * A Task's error as the state machine carries it: `name` is what Retry/Catch match on, and the
 * message (the execution's Cause) is JSON with what the job record shows.
 */
export function taskError(name: string, cause: { code: string; message: string; [k: string]: unknown }): Error {
  const err = new Error(JSON.stringify(cause))
  err.name = name
  return err
}

/** Reads a Cause back; causes from elsewhere (AWS, the runner itself) are plain text. */
export function parseCause(cause: unknown): { code: string; message: string; [k: string]: unknown } {
  if (typeof cause === 'string') {
    try {
      const parsed = JSON.parse(cause) as unknown
      if (parsed && typeof parsed === 'object' && 'message' in parsed) {
        return parsed as { code: string; message: string }
      }
    } catch {
      // plain text
    }
    return { code: 'INGEST_FAILED', message: cause }
  }
  return { code: 'INGEST_FAILED', message: 'The ingest workflow failed without saying why.' }
}
