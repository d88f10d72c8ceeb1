import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, type Auth, type FileMeta } from './client'
import { uploadFile } from './upload'

/** Stands in for XMLHttpRequest: records what is sent; the test answers it. */
class FakeXhr {
  static last: FakeXhr | undefined
  method = ''
  url = ''
  headers: Record<string, string> = {}
  body: unknown
  status = 0
  responseText = ''
  responseType = ''
  aborted = false
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null

  constructor() {
    FakeXhr.last = this
  }
  open(method: string, url: string) {
    this.method = method
    this.url = url
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value
  }
  send(body: unknown) {
    this.body = body
  }
  abort() {
    this.aborted = true
    this.onabort?.()
  }
  /** The server answers. */
  respond(status: number, body: string) {
    this.status = status
    this.responseText = body
    this.onload?.()
  }
}

const meta: FileMeta = {
  fileId: 'f_1',
  name: 'people.csv',
  size: 12,
  sha256: 'abc',
  contentType: 'text/csv',
  compression: 'none',
  format: 'csv',
  uploadedAt: '2026-11-27T08:00:00.000Z',
  dialect: { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['a', 'b'] },
}

const file = () => new File(['a,b\n1,2\n3,4\n'], 'people.csv', { type: 'text/csv' })
const auth = (token: string | null) => ({ token: vi.fn(async () => token), onUnauthorized: vi.fn() }) satisfies Auth

/** uploadFile awaits the token before it makes the request: wait for the request to exist. */
async function request(): Promise<FakeXhr> {
  await vi.waitFor(() => expect(FakeXhr.last).toBeDefined(), { interval: 1 })
  return FakeXhr.last!
}

beforeEach(() => {
  FakeXhr.last = undefined
  vi.stubGlobal('XMLHttpRequest', FakeXhr)
})
afterEach(() => vi.unstubAllGlobals())

describe('uploadFile', () => {
  it('POSTs the file as multipart form data in the field "file"', async () => {
    const f = file()
    const done = uploadFile(f, { auth: auth(null), baseUrl: 'http://api.test' })
    const xhr = await request()
    expect(xhr.method).toBe('POST')
    expect(xhr.url).toBe('http://api.test/api/upload')
    expect(xhr.body).toBeInstanceOf(FormData)
    const sent = (xhr.body as FormData).get('file')
    expect(sent).toBeInstanceOf(File)
    expect((sent as File).name).toBe('people.csv')
    expect(await (sent as File).text()).toBe('a,b\n1,2\n3,4\n')
    xhr.respond(201, JSON.stringify(meta))
    await done
  })

  it('sends the bearer token when the Auth gives one', async () => {
    const done = uploadFile(file(), { auth: auth('tok-9') })
    const xhr = await request()
    expect(xhr.headers.authorization).toBe('Bearer tok-9')
    xhr.respond(201, JSON.stringify(meta))
    await done
  })

  it('sends no authorization header without a token', async () => {
    const done = uploadFile(file(), { auth: auth(null) })
    const xhr = await request()
    expect(xhr.headers).not.toHaveProperty('authorization')
    xhr.respond(201, JSON.stringify(meta))
    await done
  })

  it('resolves with the 201 body', async () => {
    const done = uploadFile(file(), { auth: auth(null) })
    ;(await request()).respond(201, JSON.stringify(meta))
    await expect(done).resolves.toEqual(meta)
  })

  it('reports upload progress, with the file size when the total is not known', async () => {
    const onProgress = vi.fn()
    const done = uploadFile(file(), { auth: auth(null), onProgress })
    const xhr = await request()
    xhr.upload.onprogress?.({ loaded: 4, total: 200, lengthComputable: true })
    xhr.upload.onprogress?.({ loaded: 8, total: 0, lengthComputable: false })
    expect(onProgress.mock.calls).toEqual([[{ loaded: 4, total: 200 }], [{ loaded: 8, total: 12 }]])
    xhr.respond(201, JSON.stringify(meta))
    await done
  })

  it("rejects a 4xx with the API's code and message", async () => {
    const a = auth('t')
    const done = uploadFile(file(), { auth: a })
    ;(await request()).respond(415, JSON.stringify({ error: { code: 'UNSUPPORTED', message: 'This is a PNG, not a CSV' } }))
    const e = (await done.catch((x: unknown) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toMatchObject({ status: 415, code: 'UNSUPPORTED', message: 'This is a PNG, not a CSV' })
    expect(a.onUnauthorized).not.toHaveBeenCalled()
  })

  it('rejects a body that is not JSON with the status in words', async () => {
    const done = uploadFile(file(), { auth: auth(null) })
    ;(await request()).respond(502, '<html>Bad Gateway</html>')
    await expect(done).rejects.toMatchObject({ status: 502, code: 'HTTP_502', message: 'The server answered 502' })
  })

  it('calls onUnauthorized on a 401', async () => {
    const a = auth('expired')
    const done = uploadFile(file(), { auth: a })
    ;(await request()).respond(401, JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'Sign in again' } }))
    await expect(done).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' })
    expect(a.onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('rejects with code NETWORK when the connection fails', async () => {
    const done = uploadFile(file(), { auth: auth(null) })
    ;(await request()).onerror?.()
    await expect(done).rejects.toMatchObject({ code: 'NETWORK' })
  })

  it('aborting the signal aborts the request and rejects with code CANCELLED', async () => {
    const abort = new AbortController()
    const done = uploadFile(file(), { auth: auth(null), signal: abort.signal })
    const xhr = await request()
    abort.abort()
    expect(xhr.aborted).toBe(true)
    const e = (await done.catch((x: unknown) => x)) as ApiError
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('CANCELLED')
  })

  it('a cancel that comes while the token is still being fetched cancels the upload too', async () => {
    // Auth0's getTokenSilently can take a while (a refresh-token round trip): Cancel pressed then
    // must not be lost, and no bytes should be sent.
    let giveToken: (t: string) => void = () => {}
    const slowAuth: Auth = { token: () => new Promise<string>((resolve) => (giveToken = resolve)), onUnauthorized: () => {} }
    const abort = new AbortController()
    const done = uploadFile(file(), { auth: slowAuth, signal: abort.signal })
    const outcome = done.then(
      () => 'resolved',
      (e: unknown) => (e instanceof ApiError ? e.code : String(e)),
    )
    abort.abort()
    giveToken('tok')
    // Were the request sent anyway, answer it as the server would, so the test ends either way.
    await new Promise((resolve) => setTimeout(resolve, 10))
    const sent = FakeXhr.last !== undefined && FakeXhr.last.body !== undefined && !FakeXhr.last.aborted
    FakeXhr.last?.respond(201, JSON.stringify(meta))
    expect(await outcome).toBe('CANCELLED')
    expect(sent).toBe(false)
  })
})
