import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

type Schemas = components['schemas']
export type FileMeta = Schemas['File']
export type Dialect = Schemas['Dialect']
export type Preview = Schemas['Preview']
export type SubmitBody = Schemas['Submit']
export type Submitted = Schemas['Submitted']
export type Job = Schemas['Job']
export type JobStep = Job['steps'][number]
export type QueryResult = Schemas['QueryResult']
export type Table = Schemas['Table']
export type QuerySummary = Schemas['QuerySummary']
export type TableHistory = Schemas['TableHistory']
export type TableVersion = Schemas['TableVersion']
export type SavedQuery = Schemas['SavedQuery']
export type NewSavedQuery = Schemas['NewSavedQuery']
export type SavedQueryChange = Schemas['SavedQueryChange']
export type Column = { name: string; type: string }
export type ApiConfig = paths['/api/config']['get']['responses'][200]['content']['application/json']
export type PreviewOptions = NonNullable<paths['/api/preview']['get']['parameters']['query']>

/** An answer of the API that is not a success, with the API's own code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Where in the SQL an error was, when the API said. */
  get line(): number | undefined {
    return typeof this.details.line === 'number' ? this.details.line : undefined
  }
  get column(): number | undefined {
    return typeof this.details.column === 'number' ? this.details.column : undefined
  }
}

/** Turns any error body (or a body that is not ours, e.g. a proxy's HTML) into an ApiError. */
export async function apiErrorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '')
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string } & Record<string, unknown> }
    if (error?.message) {
      const { code, message, ...details } = error
      return new ApiError(res.status, code ?? 'ERROR', message, details)
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, `HTTP_${res.status}`, `The server answered ${res.status} ${res.statusText}`.trim())
}

export type Auth = {
  /** The bearer token to send, or null to send none (identity off). */
  token: () => Promise<string | null>
  /** Called on a 401: the token was refused, so the user must sign in again. */
  onUnauthorized: () => void
}

export const NO_AUTH: Auth = { token: async () => null, onUnauthorized: () => {} }

/**
 * The one client of the API: every call is typed from the API's OpenAPI document (schema.d.ts is
 * generated from the server's zod schemas), sends the bearer token when there is one, and turns
 * every refusal into an ApiError carrying the API's message.
 */
export function createApi(auth: Auth = NO_AUTH, baseUrl = '') {
  const client = createClient<paths>({ baseUrl })
  const authorize: Middleware = {
    async onRequest({ request }) {
      const token = await auth.token()
      if (token) request.headers.set('authorization', `Bearer ${token}`)
      return request
    },
    async onResponse({ response }) {
      if (response.ok) return response
      if (response.status === 401) auth.onUnauthorized()
      throw await apiErrorFrom(response)
    },
  }
  client.use(authorize)

  /** openapi-fetch answers {data} on success; our middleware throws on everything else. */
  const data = async <T,>(call: Promise<{ data?: T }>): Promise<T> => (await call).data as T

  return {
    config: () => data(client.GET('/api/config')),
    /** A page of the uploads, newest first; `nextToken` asks for the next. */
    files: (nextToken?: string) => data(client.GET('/api/files', { params: { query: nextToken ? { nextToken } : {} } })),
    deleteFile: (fileId: string) => data(client.DELETE('/api/files/{fileId}', { params: { path: { fileId } } })),
    preview: (query: PreviewOptions) => data(client.GET('/api/preview', { params: { query } })),
    submit: (body: SubmitBody) => data(client.POST('/api/submit', { body })),
    job: (jobId: string) => data(client.GET('/api/job-status', { params: { query: { jobId } } })),
    /** A page of the ingest jobs, newest first; `nextToken` asks for the next. */
    jobs: (nextToken?: string) => data(client.GET('/api/jobs', { params: { query: nextToken ? { nextToken } : {} } })),
    tables: async () => (await data(client.GET('/api/tables'))).tables,
    /** The table with its column profiles (nulls, distinct, min/max, top values or a histogram). */
    table: (name: string) => data(client.GET('/api/tables/{name}', { params: { path: { name } } })),
    deleteTable: (name: string) => data(client.DELETE('/api/tables/{name}', { params: { path: { name } } })),
    /** The table's kept versions, newest first. */
    tableVersions: (name: string) => data(client.GET('/api/tables/{name}/versions', { params: { path: { name } } })),
    /** Makes an earlier version current again, as a new version; answers the history after it. */
    rollbackTable: (name: string, version: number) => data(client.POST('/api/tables/{name}/rollback', { params: { path: { name } }, body: { version } })),
    runQuery: (body: Schemas['RunQuery']) => data(client.POST('/api/query', { body })),
    query: (queryId: string, nextToken?: string) =>
      data(client.GET('/api/query/{queryId}', { params: { path: { queryId }, query: nextToken ? { nextToken } : {} } })),
    cancelQuery: (queryId: string) => data(client.DELETE('/api/query/{queryId}', { params: { path: { queryId } } })),
    /** A page of the queries this tenant ran (any browser), newest first. */
    queries: (nextToken?: string) => data(client.GET('/api/queries', { params: { query: nextToken ? { nextToken } : {} } })),
    /** A page of the saved queries, newest first. */
    savedQueries: (nextToken?: string) => data(client.GET('/api/saved-queries', { params: { query: nextToken ? { nextToken } : {} } })),
    saveQuery: (body: NewSavedQuery) => data(client.POST('/api/saved-queries', { body })),
    updateSavedQuery: (savedQueryId: string, body: SavedQueryChange) =>
      data(client.PATCH('/api/saved-queries/{savedQueryId}', { params: { path: { savedQueryId } }, body })),
    deleteSavedQuery: (savedQueryId: string) => data(client.DELETE('/api/saved-queries/{savedQueryId}', { params: { path: { savedQueryId } } })),
    /** The whole result as CSV; the browser saves it. */
    exportUrl: (queryId: string) => `${baseUrl}/api/query/${encodeURIComponent(queryId)}/results.csv`,
    /** A link to the export that opens without the token for a minute (a plain link cannot send one). */
    downloadLink: async (queryId: string) => {
      const link = await data(client.POST('/api/query/{queryId}/download', { params: { path: { queryId } } }))
      return { ...link, url: `${baseUrl}${link.url}` }
    },
    auth,
  }
}

export type Api = ReturnType<typeof createApi>
