import type { Readable } from 'node:stream'
import type { AthenaColumnInfo, AthenaDatum } from './athena-results.ts'

/*
 * The part of the Athena API the query runner uses, with the request and response shapes and
 * errors as the AWS SDK for JavaScript v3 has them (the aggregated `Athena` client's methods).
 * Written from the Amazon Athena API reference, not recorded:
 * - StartQueryExecution answers the QueryExecutionId; a ClientRequestToken seen before answers the
 *   same execution (idempotent).
 * - GetQueryExecution: Status.State QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED; a FAILED one
 *   has StateChangeReason ("line 1:8: ...") and AthenaError (ErrorCategory 1 system, 2 user, 3 other).
 * - GetQueryResults pages a SUCCEEDED query forward by NextToken, at most 1000 rows (MaxResults); a
 *   SELECT's first row is its header; every value is a string (VarCharValue), absent for NULL; an
 *   unknown id, a query not yet SUCCEEDED or a bad token is InvalidRequestException.
 * - GetQueryRuntimeStatistics (once ended): Rows.OutputRows and OutputBytes.
 * - StopQueryExecution: a running query ends CANCELLED.
 */

export type AthenaState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'

/** As the SDK types it, every field may be absent. */
export type AthenaQueryExecution = {
  QueryExecutionId?: string
  Query?: string
  QueryExecutionContext?: { Database?: string }
  ResultConfiguration?: { OutputLocation?: string }
  Status?: { State?: AthenaState; StateChangeReason?: string; AthenaError?: { ErrorCategory?: number; ErrorType?: number; ErrorMessage?: string } }
  Statistics?: { DataScannedInBytes?: number; EngineExecutionTimeInMillis?: number }
}

export type AthenaApi = {
  startQueryExecution(input: { QueryString: string; ClientRequestToken?: string; QueryExecutionContext?: { Database?: string }; WorkGroup?: string; ResultConfiguration?: { OutputLocation?: string } }): Promise<{ QueryExecutionId?: string }>
  getQueryExecution(input: { QueryExecutionId: string }): Promise<{ QueryExecution?: AthenaQueryExecution }>
  getQueryResults(input: { QueryExecutionId: string; NextToken?: string; MaxResults?: number }): Promise<{
    ResultSet?: { Rows?: { Data?: AthenaDatum[] }[]; ResultSetMetadata?: { ColumnInfo?: AthenaColumnInfo[] } }
    NextToken?: string
  }>
  getQueryRuntimeStatistics(input: { QueryExecutionId: string }): Promise<{ QueryRuntimeStatistics?: { Rows?: { OutputRows?: number; OutputBytes?: number } } }>
  stopQueryExecution(input: { QueryExecutionId: string }): Promise<unknown>
}

/** The CSV Athena wrote at a query's OutputLocation (an S3 object): read streamed, or deleted. */
export type AthenaOutputs = {
  /** The object, or undefined when it is gone. */
  read(outputLocation: string): Promise<Readable | undefined>
  /** Deletes it; answers the bytes it held (0 when there was none). */
  remove(outputLocation: string): Promise<number>
}

/** An AWS error as the SDK throws it: `name` is the error's code. */
export function awsErrorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined
}
