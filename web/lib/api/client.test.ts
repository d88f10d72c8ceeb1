import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, createApi, type Auth } from './client'

type Call = { url: string; method: string; headers: Headers; body: string | null }

/** A fake fetch that records each request and answers with the next response given. */
function fakeFetch(...answers: (() => Response)[]) {
  const calls: Call[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init)
    calls.push({ url: request.url, method: request.method, headers: request.headers, body: request.body ? await request.text() : null })
    const answer = answers.shift()
    if (!answer) throw new Error(`unexpected request ${request.method} ${request.url}`)
    return answer()
  })
  vi.stubGlobal('fetch', fetch)
  return { fetch, calls }
}

const json = (status: number, body: unknown, statusText = '') =>
  new Response(JSON.stringify(body), { status, statusText, headers: { 'content-type': 'application/json' } })

const auth = (token: string | null) => ({ token: async () => token, onUnauthorized: vi.fn<() => void>() }) satisfies Auth

// openapi-fetch reads globalThis.fetch once, in createClient (not at call time): each test stubs
// fetch before it calls createApi. The base URL is absolute because Node's Request wants one.
const BASE = 'http://api.test'

afterEach(() => vi.unstubAllGlobals())

describe('createApi', () => {
  it('answers the data of a successful call', async () => {
    const { calls } = fakeFetch(() => json(200, { files: [{ fileId: 'f_1' }] }))
    const api = createApi(auth(null), BASE)
    await expect(api.files()).resolves.toEqual({ files: [{ fileId: 'f_1' }] })
    expect(calls[0]).toMatchObject({ url: `${BASE}/api/files`, method: 'GET' })
  })

  it('asks for the next page of a list with its nextToken', async () => {
    const { calls } = fakeFetch(() => json(200, { files: [], nextToken: 'ZjE' }), () => json(200, { jobs: [] }))
    const api = createApi(auth(null), BASE)
    await expect(api.files('dG9rZW4')).resolves.toEqual({ files: [], nextToken: 'ZjE' })
    expect(calls[0]!.url).toBe(`${BASE}/api/files?nextToken=dG9rZW4`)
    await api.jobs('ajE')
    expect(calls[1]!.url).toBe(`${BASE}/api/jobs?nextToken=ajE`)
  })

  it('throws an ApiError with the code, message, line and column of a 4xx answer', async () => {
    fakeFetch(() => json(400, { error: { code: 'SQL_SYNTAX', message: 'syntax error at or near "FORM"', line: 2, column: 5 } }))
    const api = createApi(auth(null), BASE)
    const error = await api.runQuery({ sql: 'SELECT *\nFORM t' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    const e = error as ApiError
    expect(e.status).toBe(400)
    expect(e.code).toBe('SQL_SYNTAX')
    expect(e.message).toBe('syntax error at or near "FORM"')
    expect(e.line).toBe(2)
    expect(e.column).toBe(5)
  })

  it('gives no line or column when the error names none', async () => {
    fakeFetch(() => json(404, { error: { code: 'NOT_FOUND', message: 'The file was not found' } }))
    const e = (await createApi(auth(null), BASE).preview({ fileId: 'f_x' }).catch((x: unknown) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('NOT_FOUND')
    expect(e.line).toBeUndefined()
    expect(e.column).toBeUndefined()
  })

  it('turns a non-JSON 502 (a proxy page) into a readable message', async () => {
    fakeFetch(() => new Response('<html><body>Bad Gateway</body></html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } }))
    const e = (await createApi(auth(null), BASE).tables().catch((x: unknown) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(502)
    expect(e.code).toBe('HTTP_502')
    expect(e.message).toBe('The server answered 502 Bad Gateway')
    expect(e.message).not.toContain('<html>')
  })

  it('sends the bearer token when the Auth gives one', async () => {
    const { calls } = fakeFetch(() => json(200, { tables: [] }))
    await createApi(auth('tok-123'), BASE).tables()
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer tok-123')
  })

  it('sends no authorization header when the Auth gives no token', async () => {
    const { calls } = fakeFetch(() => json(200, { tables: [] }))
    await createApi(auth(null), BASE).tables()
    expect(calls[0]?.headers.has('authorization')).toBe(false)
  })

  it('calls onUnauthorized on a 401 and still throws the refusal', async () => {
    fakeFetch(() => json(401, { error: { code: 'UNAUTHORIZED', message: 'Sign in again' } }))
    const a = auth('expired')
    const e = (await createApi(a, BASE).files().catch((x: unknown) => x)) as ApiError
    expect(a.onUnauthorized).toHaveBeenCalledTimes(1)
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('UNAUTHORIZED')
  })

  it('does not call onUnauthorized on other refusals', async () => {
    fakeFetch(() => json(403, { error: { code: 'FORBIDDEN', message: 'no' } }))
    const a = auth('t')
    await createApi(a, BASE).files().catch(() => undefined)
    expect(a.onUnauthorized).not.toHaveBeenCalled()
  })

  it('sends the query body as JSON and the page token as a query parameter', async () => {
    const { calls } = fakeFetch(
      () => json(200, { queryId: 'q_1', status: 'RUNNING', sql: 'SELECT 1', submittedAt: '' }),
      () => json(200, { queryId: 'q_1', status: 'SUCCEEDED', sql: 'SELECT 1', submittedAt: '' }),
    )
    const api = createApi(auth(null), BASE)
    await api.runQuery({ sql: 'SELECT 1', waitMs: 1000 })
    await api.query('q_1', 'page-2')
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${BASE}/api/query` })
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual({ sql: 'SELECT 1', waitMs: 1000 })
    expect(calls[1]).toMatchObject({ method: 'GET', url: `${BASE}/api/query/q_1?nextToken=page-2` })
  })

  it('asks for a signed download link with the token, and answers it as a full URL', async () => {
    const { calls } = fakeFetch(
      () => json(200, { url: '/api/query/q%201/results.csv?access=abc.def', expiresAt: '2026-11-27T08:01:00.000Z' }),
      () => json(401, { error: { code: 'UNAUTHORIZED', message: 'Sign in again' } }),
    )
    const a = auth('tok')
    const api = createApi(a, BASE)
    expect(api.exportUrl('q 1')).toBe(`${BASE}/api/query/q%201/results.csv`)
    await expect(api.downloadLink('q 1')).resolves.toEqual({ url: `${BASE}/api/query/q%201/results.csv?access=abc.def`, expiresAt: '2026-11-27T08:01:00.000Z' })
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${BASE}/api/query/q%201/download` })
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer tok')
    await expect(api.downloadLink('q 1')).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Sign in again' })
    expect(a.onUnauthorized).toHaveBeenCalledTimes(1)
  })
})
