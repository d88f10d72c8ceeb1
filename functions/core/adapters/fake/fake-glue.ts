/*
 * An in-memory model of the Glue Data Catalog calls csvlake's catalog makes (CreateDatabase,
 * GetTable, GetTables, CreateTable, UpdateTable, DeleteTable), with Glue's request and response
 * shapes and errors as the AWS SDK for JavaScript v3 throws them (`err.name` the exception,
 * HTTP 400, `Message`). Written from the AWS Glue API reference, not recorded from the service:
 * a table's VersionId is the string of an integer that each UpdateTable increments; UpdateTable
 * with a VersionId that is no longer the table's answers ConcurrentModificationException; a
 * missing database or table answers EntityNotFoundException; creating what exists answers
 * AlreadyExistsException.
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
    return {}
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
