/*
 * The part of the Glue Data Catalog API the catalog uses, with the request and response shapes
 * and errors as the AWS SDK for JavaScript v3 has them (the aggregated `Glue` client's methods;
 * `glue-sdk.ts` checks that the SDK's client is a GlueApi). Written from the AWS Glue API
 * reference, not recorded. What the catalog relies on:
 * - A missing database or table is EntityNotFoundException (GetTable, GetTables, UpdateTable,
 *   DeleteTable; CreateTable when the database is missing).
 * - Creating a database or table that exists is AlreadyExistsException.
 * - A table's VersionId is the string of an integer that each UpdateTable increments; UpdateTable
 *   with a VersionId that is no longer the table's fails with ConcurrentModificationException, so
 *   GetTable then UpdateTable at its VersionId is a conditional write. Without a VersionId the
 *   update is unconditional (last writer wins).
 * - GetTables pages by NextToken (absent on the last page), at most 100 tables a page.
 * - Names of databases and tables are kept lower-case.
 * - UpdateTable without SkipArchive (or with it false) archives the table as it was, as a table
 *   version: GetTableVersions pages through every version (the current one included) by
 *   NextToken, at most 100 a page; BatchDeleteTableVersion deletes up to 100 by VersionId and
 *   answers the ones it could not delete in `Errors` (it does not throw for them).
 * - ThrottlingException (and 5xx) is retried by the SDK's retry strategy, not by the callers.
 * The SDK throws each error with `name` set to its exception.
 */

/** A column as csvlake writes it. */
export type GlueColumn = { Name: string; Type: string }

/** The table as csvlake sends it (CreateTable, UpdateTable): only the fields it sets. */
export type GlueTableInput = {
  Name: string
  TableType?: string
  PartitionKeys?: GlueColumn[]
  Parameters?: Record<string, string>
  StorageDescriptor?: {
    Columns?: GlueColumn[]
    Location?: string
    InputFormat?: string
    OutputFormat?: string
    SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> }
  }
}

/** A table as Glue answers it (GetTable, GetTables): as the SDK types it, every field may be absent. */
export type GlueTable = {
  Name?: string
  DatabaseName?: string
  TableType?: string
  VersionId?: string
  CreateTime?: Date
  UpdateTime?: Date
  Parameters?: Record<string, string>
  PartitionKeys?: { Name?: string; Type?: string }[]
  StorageDescriptor?: {
    Columns?: { Name?: string; Type?: string }[]
    Location?: string
    InputFormat?: string
    OutputFormat?: string
    SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> }
  }
}

export type GlueApi = {
  createDatabase(input: { DatabaseInput: { Name: string } }): Promise<unknown>
  getTable(input: { DatabaseName: string; Name: string }): Promise<{ Table?: GlueTable }>
  getTables(input: { DatabaseName: string; NextToken?: string; MaxResults?: number }): Promise<{ TableList?: GlueTable[]; NextToken?: string }>
  createTable(input: { DatabaseName: string; TableInput: GlueTableInput }): Promise<unknown>
  updateTable(input: { DatabaseName: string; TableInput: GlueTableInput; VersionId?: string; SkipArchive?: boolean }): Promise<unknown>
  deleteTable(input: { DatabaseName: string; Name: string }): Promise<unknown>
  getTableVersions(input: { DatabaseName: string; TableName: string; NextToken?: string; MaxResults?: number }): Promise<{ TableVersions?: { Table?: GlueTable; VersionId?: string }[]; NextToken?: string }>
  batchDeleteTableVersion(input: { DatabaseName: string; TableName: string; VersionIds: string[] }): Promise<{ Errors?: { TableName?: string; VersionId?: string; ErrorDetail?: { ErrorCode?: string; ErrorMessage?: string } }[] }>
}
