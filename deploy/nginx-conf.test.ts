import { describe, expect, it } from 'vitest'
import { ingressConf, locations, webConf } from './nginx-conf.ts'
import { routingTable, serviceFor, type Route } from './routing.ts'

const opts = { upstreamPort: 8080, maxUploadBytes: 5 * 1024 ** 3, queryTimeoutMs: 300_000, maxJsonBodyBytes: 1024 * 1024, resolver: '127.0.0.11' }

/** nginx's choice for a path among `locations` (exact first, then the longest prefix), as nginx documents it. */
function nginxPick(locs: ReturnType<typeof locations>, path: string) {
  const exact = locs.find((l) => l.modifier === '=' && l.path === path)
  if (exact) return exact.service
  const prefixes = locs.filter((l) => l.modifier !== '=' && path.startsWith(l.path)).sort((a, b) => b.path.length - a.path.length)
  return prefixes[0]?.service
}

/** The location blocks of a configuration: head -> its proxied service and its lines. */
function blocks(conf: string) {
  return [...conf.matchAll(/location ([=^~]*\s*\S+) \{\n([\s\S]*?)\n {4}\}/g)].map((m) => ({ head: m[1]!.replace(/\s+/, ' '), body: m[2]! }))
}

describe('the ingress configuration made from the routing table', () => {
  const table = routingTable()
  const locs = locations(table)
  const conf = ingressConf(table, opts)

  it('sends every path to the service the routing table names, as nginx picks locations', () => {
    const paths = table.flatMap((r) => (r.path === '/' ? ['/', '/query/', '/_next/static/x.js'] : r.match === 'exact' ? [r.path, `${r.path}/x`] : [r.path, `${r.path}/x_1`, `${r.path}/x_1/more`, `${r.path}x`]))
    for (const path of paths) expect(nginxPick(locs, path), path).toBe(serviceFor(table, path))
  })

  it('writes exact rules as `location =`, prefixes as `location ^~ /p/` plus `location = /p`, longest first', () => {
    expect(locs).toContainEqual({ modifier: '=', path: '/api/upload', service: 'upload' })
    expect(locs).toContainEqual({ modifier: '^~', path: '/api/query/', service: 'query' })
    expect(locs).toContainEqual({ modifier: '=', path: '/api/docs', service: 'docs' })
    expect(locs.at(-1)).toEqual({ modifier: '', path: '/', service: 'web' })
    const lengths = locs.map((l) => l.path.length)
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a))
    // Each location once: nginx refuses a configuration with a duplicate.
    expect(new Set(blocks(conf).map((b) => b.head)).size).toBe(blocks(conf).length)
    expect(blocks(conf)).toHaveLength(locs.length)
  })

  it('refuses a table whose rules would give one location to two services', () => {
    const clash: Route[] = [
      { match: 'prefix', path: '/api/x', service: 'query' },
      { match: 'exact', path: '/api/x', service: 'files' },
    ]
    expect(() => locations(clash)).toThrow(/query and files/)
  })

  it('proxies each location to its service by name, resolved per request so a restarted container is found', () => {
    for (const b of blocks(conf)) {
      const service = /set \$csvlake_upstream (\S+);/.exec(b.body)?.[1]
      expect(b.body, b.head).toContain('proxy_pass http://$csvlake_upstream:8080;')
      expect(b.body, b.head).toContain(`add_header X-Csvlake-Service ${service} always;`)
    }
    expect(conf).toContain('resolver 127.0.0.11 valid=5s')
  })

  it('streams uploads up to the upload limit unbuffered, and gives uploads and queries long timeouts', () => {
    const upload = blocks(conf).find((b) => b.head === '= /api/upload')!.body
    expect(upload).toContain('proxy_request_buffering off;')
    const limit = Number(/client_max_body_size (\d+);/.exec(upload)?.[1])
    expect(limit).toBeGreaterThan(opts.maxUploadBytes)
    expect(upload).toMatch(/proxy_read_timeout 3600s;/)
    const query = blocks(conf).find((b) => b.head === '= /api/query')!.body
    expect(Number(/proxy_read_timeout (\d+)s;/.exec(query)?.[1])).toBeGreaterThanOrEqual(opts.queryTimeoutMs / 1000)
    // Elsewhere, a little over the app's own JSON limit, so the app answers with its JSON error.
    expect(Number(/\n {2}client_max_body_size (\d+);/.exec(conf)?.[1])).toBeGreaterThan(opts.maxJsonBodyBytes)
  })

  it('writes nothing outside /tmp and keeps the client host in redirects and for the functions', () => {
    for (const c of [conf, webConf({ port: 8080, root: '/srv/web' })]) {
      for (const m of c.matchAll(/(?:_temp_path|^pid) (\S+);/gm)) expect(m[1]).toMatch(/^\/tmp\//)
      expect(c).toContain('absolute_redirect off;')
      expect(c).toContain('error_log stderr')
    }
    expect(conf).toContain('proxy_set_header Host $http_host;')
  })
})
