/*
 * An in-memory model of the Glue Data Catalog calls csvlake's catalog makes (CreateDatabase,
 * GetTable, GetTables, CreateTable, UpdateTable, DeleteTable), with Glue's request and response
 * shapes and errors as the AWS SDK for JavaScript v3 throws them (`err.name` the exception,
 * HTTP 400, `Message`). Written from the AWS Glue API reference, not recorded from the service:
 * a table's VersionId is the string of an integer that each UpdateTable increments; UpdateTable
 * with a VersionId that is no longer the table's answers ConcurrentModificationException; a
 * missing database or table answers EntityNotFoundException; creating what exists answers
 * AlreadyExistsException. UpdateTable archives the table as it was unless SkipArchive is true;
 * GetTableVersions answers the archived versions and the current one, newest first, paged;
 * BatchDeleteTableVersion deletes archived versions and lists in Errors what it could not delete
 * (a version that is not there, or the current one).
 */
import type { GlueApi, GlueTableInput } from '../aws/glue-api.ts'

export class FakeGlueError extends Error {
  readonly $fault = 'client' as const
  readonly $metadata = { httpStatusCode: 400 }
  readonly Message: string
  constructor(name: 'EntityNotFoundException' | 'AlreadyExistsException' | 'ConcurrentModificationException' | 'InvalidInputException' | 'ThrottlingException', message: string) {
    super(message)
    this.name = name
    this.Message = message
  }
}

/** A table as FakeGlue keeps it: what was sent, and what Glue adds. */
export type FakeGlueTable = GlueTableInput & { DatabaseName: string; VersionId: string; CreateTime: Date; UpdateTime: Date }

/** Glue answers at most this many tables a GetTables page (MaxResults' cap). */
const GET_TABLES_MAX = 100

export class FakeGlue implements GlueApi {
  private readonly databases = new Map<string, Map<string, FakeGlueTable>>()
  /** Archived versions by `database.table`, oldest first. */
  private readonly archive = new Map<string, FakeGlueTable[]>()
  private readonly faults = new Map<string, FakeGlueError[]>()
  readonly calls: Record<string, number> = {}

  /** The next call of `operation` throws this Glue error instead of answering. */
  failNext(operation: string, name: ConstructorParameters<typeof FakeGlueError>[0]): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), new FakeGlueError(name, `${name} (injected)`)])
  }

  async createDatabase(input: { DatabaseInput: { Name: string } }): Promise<Record<string, never>> {
    await this.call('CreateDatabase')
    const name = input.DatabaseInput.Name.toLowerCase()
    if (this.databases.has(name)) throw new FakeGlueError('AlreadyExistsException', `Database already exists.`)
    this.databases.set(name, new Map())
    return {}
  }

  async getTable(input: { DatabaseName: string; Name: string }): Promise<{ Table: FakeGlueTable }> {
    await this.call('GetTable')
    const table = this.database(input.DatabaseName).get(input.Name.toLowerCase())
    if (!table) throw new FakeGlueError('EntityNotFoundException', `Table ${input.Name} not found.`)
    return { Table: structuredClone(table) }
  }

  async getTables(input: { DatabaseName: string; NextToken?: string; MaxResults?: number }): Promise<{ TableList: FakeGlueTable[]; NextToken?: string }> {
    await this.call('GetTables')
    const tables = [...this.database(input.DatabaseName).values()].sort((a, b) => (a.Name < b.Name ? -1 : 1))
    const from = input.NextToken === undefined ? 0 : Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'))
    const size = Math.min(input.MaxResults ?? GET_TABLES_MAX, GET_TABLES_MAX)
    const page = tables.slice(from, from + size)
    const next = from + size < tables.length ? Buffer.from(String(from + size), 'utf8').toString('base64url') : undefined
    return { TableList: structuredClone(page), ...(next ? { NextToken: next } : {}) }
  }

  async createTable(input: { DatabaseName: string; TableInput: GlueTableInput }): Promise<Record<string, never>> {
    await this.call('CreateTable')
    const tables = this.database(input.DatabaseName)
    const name = input.TableInput.Name.toLowerCase()
    if (tables.has(name)) throw new FakeGlueError('AlreadyExistsException', `Table already exists.`)
    const now = new Date()
    tables.set(name, { ...structuredClone(input.TableInput), Name: name, DatabaseName: input.DatabaseName.toLowerCase(), VersionId: '0', CreateTime: now, UpdateTime: now })
    return {}
  }

  /** Without a VersionId the update is unconditional (last writer wins), as Glue's is. */
  async updateTable(input: { DatabaseName: string; TableInput: GlueTableInput; VersionId?: string; SkipArchive?: boolean }): Promise<Record<string, never>> {
    await this.call('UpdateTable')
    const tables = this.database(input.DatabaseName)
    const name = input.TableInput.Name.toLowerCase()
    const current = tables.get(name)
    if (!current) throw new FakeGlueError('EntityNotFoundException', `Table ${input.TableInput.Name} not found.`)
    if (input.VersionId !== undefined && input.VersionId !== current.VersionId) {
      throw new FakeGlueError('ConcurrentModificationException', `Update table failed due to concurrent modifications.`)
    }
    if (input.SkipArchive !== true) {
      const key = `${current.DatabaseName}.${name}`
      this.archive.set(key, [...(this.archive.get(key) ?? []), structuredClone(current)])
    }
    tables.set(name, {
      ...structuredClone(input.TableInput),
      Name: name,
      DatabaseName: current.DatabaseName,
      VersionId: String(Number(current.VersionId) + 1),
      CreateTime: current.CreateTime,
      UpdateTime: new Date(),
    })
    return {}
  }

  async deleteTable(input: { DatabaseName: string; Name: string }): Promise<Record<string, never>> {
    await this.call('DeleteTable')
    if (!this.database(input.DatabaseName).delete(input.Name.toLowerCase())) {
      throw new FakeGlueError('EntityNotFoundException', `Table ${input.Name} not found.`)
    }
    this.archive.delete(`${input.DatabaseName.toLowerCase()}.${input.Name.toLowerCase()}`)
    return {}
  }

  async getTableVersions(input: { DatabaseName: string; TableName: string; NextToken?: string; MaxResults?: number }): Promise<{ TableVersions: { Table: FakeGlueTable; VersionId: string }[]; NextToken?: string }> {
    await this.call('GetTableVersions')
    const name = input.TableName.toLowerCase()
    const current = this.database(input.DatabaseName).get(name)
    if (!current) throw new FakeGlueError('EntityNotFoundException', `Table ${input.TableName} not found.`)
    const all = [current, ...(this.archive.get(`${current.DatabaseName}.${name}`) ?? []).toReversed()]
    const from = input.NextToken === undefined ? 0 : Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'))
    const size = Math.min(input.MaxResults ?? GET_TABLES_MAX, GET_TABLES_MAX)
    const next = from + size < all.length ? Buffer.from(String(from + size), 'utf8').toString('base64url') : undefined
    return { TableVersions: structuredClone(all.slice(from, from + size)).map((Table) => ({ Table, VersionId: Table.VersionId })), ...(next ? { NextToken: next } : {}) }
  }

  async batchDeleteTableVersion(input: { DatabaseName: string; TableName: string; VersionIds: string[] }): Promise<{ Errors: { TableName: string; VersionId: string; ErrorDetail: { ErrorCode: string; ErrorMessage: string } }[] }> {
    await this.call('BatchDeleteTableVersion')
    if (input.VersionIds.length > 100) throw new FakeGlueError('InvalidInputException', 'At most 100 version ids.')
    const name = input.TableName.toLowerCase()
    const current = this.database(input.DatabaseName).get(name)
    if (!current) throw new FakeGlueError('EntityNotFoundException', `Table ${input.TableName} not found.`)
    const key = `${current.DatabaseName}.${name}`
    const archived = this.archive.get(key) ?? []
    const errors = []
    for (const id of input.VersionIds) {
      const at = archived.findIndex((t) => t.VersionId === id)
      if (at < 0) errors.push({ TableName: name, VersionId: id, ErrorDetail: { ErrorCode: 'EntityNotFoundException', ErrorMessage: `Version ${id} not found.` } })
      else archived.splice(at, 1)
    }
    this.archive.set(key, archived)
    return { Errors: errors }
  }

  private database(name: string): Map<string, FakeGlueTable> {
    const tables = this.databases.get(name.toLowerCase())
    if (!tables) throw new FakeGlueError('EntityNotFoundException', `Database ${name} not found.`)
    return tables
  }

  /** Every call goes through the event loop, as a request does, so concurrent callers interleave. */
  private async call(operation: string): Promise<void> {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1
    await new Promise((r) => setImmediate(r))
    const fault = this.faults.get(operation)?.shift()
    if (fault) throw fault
  }
}
