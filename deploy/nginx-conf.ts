import type { Route, ServiceName } from './routing.ts'

/** What the ingress needs to know beyond the routing table. */
export type IngressOptions = {
  /** The port every function and the web listen on in their containers (PORT). */
  upstreamPort: number
  /** CSVLAKE_MAX_UPLOAD_BYTES: the upload function refuses more itself; nginx must not refuse less. */
  maxUploadBytes: number
  /** CSVLAKE_QUERY_TIMEOUT_MS: a query call (or a result export) may take this long. */
  queryTimeoutMs: number
  /** The JSON body limit of every other call (core/http/json-body-limit.ts); nginx lets a little more through so the app answers with its own JSON error. */
  maxJsonBodyBytes: number
  /** The DNS server that knows the containers by name: Docker's embedded one on a user-defined network. */
  resolver: string
}

/** An nginx location block's head: `= /p` (exact) or `^~ /p/` (prefix, whole segments), or `/` for the catch-all. */
export type Location = { modifier: '=' | '^~' | ''; path: string; service: ServiceName }

/**
 * The table's rules as nginx locations. An exact rule is `location = /p`; a prefix rule is
 * `location ^~ /p/` (which `^~` makes win over any regex, and nginx picks the longest prefix, as
 * serviceFor does) plus `location = /p` for the path itself; the catch-all `/` stays `location /`.
 * Two rules giving one location must agree on the service (the table's own check, once more).
 */
export function locations(table: readonly Route[]): Location[] {
  const out = new Map<string, Location>()
  const add = (loc: Location) => {
    const key = `${loc.modifier} ${loc.path}`
    const known = out.get(key)
    if (known && known.service !== loc.service) throw new Error(`nginx location ${key} would go to ${known.service} and ${loc.service}`)
    out.set(key, loc)
  }
  for (const route of table) {
    if (route.match === 'exact') add({ modifier: '=', path: route.path, service: route.service })
    else if (route.path === '/') add({ modifier: '', path: '/', service: route.service })
    else {
      add({ modifier: '^~', path: `${route.path}/`, service: route.service })
      add({ modifier: '=', path: route.path, service: route.service })
    }
  }
  // Longest first, exact before prefix: the order a reader checks them in (nginx's choice does not depend on it).
  return [...out.values()].sort((a, b) => b.path.length - a.path.length || (a.modifier === '=' ? -1 : b.modifier === '=' ? 1 : 0))
}

/** Settings for the calls a service takes that differ from a short JSON call. */
function serviceSettings(service: ServiceName, opts: IngressOptions): string[] {
  const seconds = (ms: number) => `${Math.ceil(ms / 1000)}s`
  switch (service) {
    case 'upload':
      return [
        // The body streams to the function as it arrives (the function hashes and stores it on
        // the way); buffering it here first would need the disk space and double the time.
        'proxy_request_buffering off;',
        // The limit plus room for the multipart envelope; the function refuses a bigger file itself (413, JSON).
        `client_max_body_size ${opts.maxUploadBytes + 1024 * 1024};`,
        // A 5 GiB upload over a slow line takes long; these bound the silence between reads and writes, not the whole.
        'client_body_timeout 3600s;',
        'proxy_send_timeout 3600s;',
        'proxy_read_timeout 3600s;',
      ]
    case 'query':
      return [
        // A query call may wait for its answer, and an export streams the whole result.
        `proxy_read_timeout ${seconds(opts.queryTimeoutMs + 60_000)};`,
        `proxy_send_timeout ${seconds(opts.queryTimeoutMs + 60_000)};`,
        'proxy_buffering off;',
      ]
    default:
      return []
  }
}

function locationBlock(loc: Location, opts: IngressOptions): string {
  const head = loc.modifier ? `location ${loc.modifier} ${loc.path}` : `location ${loc.path}`
  const lines = [
    // A variable, so nginx resolves the name per request (valid=5s): a container stopped and
    // started again (scaled to zero and back) may come back with another address.
    `set $csvlake_upstream ${loc.service};`,
    `proxy_pass http://$csvlake_upstream:${opts.upstreamPort};`,
    // Which service answered, so a test (or a curious reader) can check the routing for real.
    `add_header X-Csvlake-Service ${loc.service} always;`,
    ...serviceSettings(loc.service, opts),
  ]
  return `    ${head} {\n${lines.map((l) => `      ${l}`).join('\n')}\n    }`
}

/** The settings every nginx of the deployment runs with: non-root, read-only root, all writes under /tmp. */
function mainBlock(): string {
  return [
    'worker_processes auto;',
    'pid /tmp/nginx.pid;',
    'error_log stderr warn;',
    'daemon off;',
    'events { worker_connections 1024; }',
  ].join('\n')
}

/** Temp paths of every module nginx-light has, under /tmp (nginx creates them at start otherwise under /var/lib/nginx, read-only here). */
const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((m) => `  ${m}_temp_path /tmp/nginx-${m};`).join('\n')

const HTTP_COMMON = `  include /etc/nginx/mime.types;
  default_type application/octet-stream;
${TEMP_PATHS}
  access_log /dev/stdout;
  server_tokens off;
  # Redirects keep the client's own host and port (the ingress's), not this container's.
  absolute_redirect off;
  sendfile on;`

/**
 * The ingress of the local container deployment: every rule of the routing table as a location
 * that proxies to the service's container by name on the deployment's network. Generated, never
 * written by hand: deploy/routing.ts is the one table (the Knative ingress is made from it too).
 */
export function ingressConf(table: readonly Route[], opts: IngressOptions): string {
  return `# Generated by deploy/nginx-conf.ts from routingTable() in deploy/routing.ts: do not edit.
${mainBlock()}
http {
${HTTP_COMMON}
  resolver ${opts.resolver} valid=5s ipv6=off;
  # The request id the functions log (and echo): the caller's X-Request-Id, else one made here.
  map $http_x_request_id $csvlake_request_id {
    default $http_x_request_id;
    "" $request_id;
  }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  # The browser's Host: without identity the functions answer only to their own host names (DNS rebinding guard).
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Request-Id $csvlake_request_id;
  # A little over the JSON body limit, so a too-big call gets the API's JSON 413 rather than nginx's page.
  client_max_body_size ${opts.maxJsonBodyBytes + 64 * 1024};
  server {
    listen ${opts.upstreamPort};
${locations(table)
  .map((loc) => locationBlock(loc, opts))
  .join('\n')}
  }
}
`
}

/**
 * The web's own server: the static export (web/out, built with trailingSlash) from its folder,
 * `/query` answered by `/query/index.html` without a redirect, Next's hashed assets cached for good.
 */
export function webConf(opts: { port: number; root: string }): string {
  return `# Generated by deploy/nginx-conf.ts: the web's static export.
${mainBlock()}
http {
${HTTP_COMMON}
  server {
    listen ${opts.port};
    root ${opts.root};
    error_page 404 /404.html;
    location / {
      try_files $uri $uri/index.html $uri.html =404;
    }
    location ^~ /_next/static/ {
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
  }
}
`
}
