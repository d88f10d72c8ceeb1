import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer } from '../testing/test-server.ts'
import { webUiHandler } from './web-ui.ts'

let root: string
let app: Hono

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'csvlake-web-'))
  await mkdir(join(root, 'query'), { recursive: true })
  await mkdir(join(root, '_next', 'static', 'chunks'), { recursive: true })
  await writeFile(join(root, 'index.html'), '<h1>home</h1>')
  await writeFile(join(root, 'query', 'index.html'), '<h1>query</h1>')
  await writeFile(join(root, '404.html'), '<h1>not here</h1>')
  await writeFile(join(root, '_next', 'static', 'chunks', 'app-1a2b.js'), 'console.log(1)')
  await writeFile(join(tmpdir(), 'csvlake-secret.txt'), 'secret')
  app = new Hono()
  app.get('*', webUiHandler(root, '<p>landing</p>'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

describe('serving the web build', () => {
  it('serves a page folder as its index.html, never cached stale', async () => {
    const res = await app.request('/query/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(await res.text()).toBe('<h1>query</h1>')
  })

  it('redirects a page path without its trailing slash, keeping the query string', async () => {
    const res = await app.request('/query?table=orders')
    expect(res.status).toBe(308)
    expect(res.headers.get('location')).toBe('/query/?table=orders')
  })

  it('never redirects off the site: leading slashes collapse to one (//query is another host to a browser)', async () => {
    const server = await startTestServer({ CSVLAKE_WEB_DIR: root })
    try {
      const { port } = new URL(server.url)
      const locationOf = (path: string) =>
        new Promise<[number, string | undefined]>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path }, (res) => {
            res.resume()
            resolve([res.statusCode!, res.headers.location])
          })
          req.on('error', reject)
          req.end()
        })
      expect(await locationOf('//query')).toEqual([308, '/query/'])
      expect(await locationOf('///query?table=orders')).toEqual([308, '/query/?table=orders'])
      expect(await locationOf('/%2Fquery')).toEqual([308, '/query/'])
      expect(await locationOf('/%2F%2Fquery')).toEqual([308, '/query/'])
      expect(await locationOf('/%5Cquery')).not.toEqual([308, expect.stringMatching(/^[\\/]{2}/)])
    } finally {
      await server.close()
    }
  })

  it('caches hashed assets for good, with their content type', async () => {
    const res = await app.request('/_next/static/chunks/app-1a2b.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/javascript')
    expect(res.headers.get('cache-control')).toContain('immutable')
  })

  it('answers unknown paths with the 404 page and status 404', async () => {
    const res = await app.request('/no/such/page/')
    expect(res.status).toBe(404)
    expect(await res.text()).toBe('<h1>not here</h1>')
  })

  it('refuses paths that climb out of the build folder', async () => {
    for (const path of ['/../csvlake-secret.txt', '/%2e%2e/csvlake-secret.txt', '/query/%2e%2e/%2e%2e/csvlake-secret.txt', '/a%00b']) {
      const res = await app.request(path)
      expect(res.status, path).not.toBe(200)
      expect(await res.text()).not.toContain('secret')
    }
  })

  it('shows the landing page when there is no web build at all', async () => {
    const bare = new Hono()
    bare.get('*', webUiHandler(join(root, 'missing'), '<p>landing</p>'))
    const res = await bare.request('/')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('<p>landing</p>')
  })
})
