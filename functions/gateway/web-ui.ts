// The gateway is local mode's server, not domain code: it reads the web build (web/out) from disk
// itself, so node:fs is allowed here (functions/core/domain-boundaries.test.ts leaves gateway/ out).
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'
import type { Context } from 'hono'
import { pullStream } from '../core/http/web-stream.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

/** Answers a file of the web build, or undefined when the path is not one. */
async function fileAt(root: string, path: string) {
  const file = join(root, path)
  if (file !== root && !file.startsWith(root + sep)) return undefined
  const info = await stat(file).catch(() => undefined)
  return info?.isFile() ? { file, size: info.size } : undefined
}

function send(c: Context, found: { file: string; size: number }, status: 200 | 404 = 200) {
  const hashed = found.file.includes(`${sep}_next${sep}static${sep}`)
  return c.body(pullStream(createReadStream(found.file)), status, {
    'content-type': TYPES[extname(found.file)] ?? 'application/octet-stream',
    'content-length': String(found.size),
    // Next.js names its assets by content hash: they never change. Pages always revalidate.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  })
}

/**
 * Serves the web UI's static export (`web/out`) for every path outside /api: `/query/` is
 * query/index.html, `/query` (or `//query`) redirects there, hashed assets are cached for good, anything else is
 * the export's 404 page.
 */
export function webUiHandler(root: string, fallbackHtml: string) {
  return async (c: Context) => {
    let path: string
    try {
      path = decodeURIComponent(new URL(c.req.url).pathname)
    } catch {
      return c.text('Bad path', 400)
    }
    if (path.includes('\0') || path.split('/').includes('..')) return c.text('Bad path', 400)
    const index = await fileAt(root, join(path, 'index.html'))
    if (path.endsWith('/')) {
      if (index) return send(c, index)
      // No build of the web yet (e.g. a bundle run on its own): say what csvlake is, at least.
      if (path === '/' && !(await fileAt(root, '404.html'))) return c.html(fallbackHtml)
    } else {
      const file = await fileAt(root, path)
      if (file) return send(c, file)
      // One leading slash only: `//query/` in a Location header is another host to a browser.
      if (index) return c.redirect(`/${path.replace(/^[/\\]+/, '')}/${new URL(c.req.url).search}`, 308)
    }
    const notFound = await fileAt(root, '404.html')
    return notFound ? send(c, notFound, 404) : c.text('Not found', 404)
  }
}
