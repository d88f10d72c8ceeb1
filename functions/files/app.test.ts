import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, upload, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

type Page = { files: { fileId: string; name: string }[]; nextToken?: string }
const list = async (query = ''): Promise<Page> => {
  const res = await fetch(`${server.url}/api/files${query}`)
  expect(res.status).toBe(200)
  return (await res.json()) as Page
}

describe('GET /api/files', () => {
  it('pages through the uploads newest first with limit and nextToken, each once', async () => {
    const ids: string[] = []
    for (let i = 1; i <= 5; i++) ids.push((await (await upload(server.url, `f${i}.csv`, `n\n${i}\n`)).json()).fileId)
    const first = await list('?limit=2')
    expect(first.files.map((f) => f.name)).toEqual(['f5.csv', 'f4.csv'])
    expect(first.nextToken).toEqual(expect.any(String))
    const second = await list(`?limit=2&nextToken=${encodeURIComponent(first.nextToken!)}`)
    expect(second.files.map((f) => f.name)).toEqual(['f3.csv', 'f2.csv'])
    const last = await list(`?limit=2&nextToken=${encodeURIComponent(second.nextToken!)}`)
    expect(last.files.map((f) => f.name)).toEqual(['f1.csv'])
    expect(last.nextToken).toBeUndefined()
    // Without a limit, one page holds them all.
    const all = await list()
    expect(all.files.map((f) => f.fileId)).toEqual([...ids].reverse())
    expect(all.nextToken).toBeUndefined()
  })

  it('skips an upload deleted between pages', async () => {
    const first = await list('?limit=1')
    const next = (await list()).files[1]!
    expect((await fetch(`${server.url}/api/files/${next.fileId}`, { method: 'DELETE' })).status).toBe(200)
    const second = await list(`?limit=1&nextToken=${encodeURIComponent(first.nextToken!)}`)
    expect(second.files[0]!.fileId).not.toBe(next.fileId)
    expect(second.files[0]!.fileId).not.toBe(first.files[0]!.fileId)
  })

  it('refuses a nextToken it did not give out and a limit that is not a count', async () => {
    for (const query of ['?nextToken=bogus', '?nextToken=cmF3Ly4uLw', '?limit=0', '?limit=1001', '?limit=ten']) {
      const res = await fetch(`${server.url}/api/files${query}`)
      expect(res.status, query).toBe(400)
      expect((await res.json()).error.message, query).toMatch(/nextToken|limit/)
    }
  })
})
