import { routes as filesRoutes } from '../functions/files/routes.ts'
import { routes as healthRoutes } from '../functions/health/routes.ts'
import { routes as jobStatusRoutes } from '../functions/job-status/routes.ts'
import { routes as previewRoutes } from '../functions/preview/routes.ts'
import { routes as queryRoutes } from '../functions/query/routes.ts'
import { routes as submitRoutes } from '../functions/submit/routes.ts'
import { routes as tablesRoutes } from '../functions/tables/routes.ts'
import { routes as uploadRoutes } from '../functions/upload/routes.ts'

/** A deployable unit: one function (its own image, container and Knative Service), or the web. */
export type ServiceName = 'docs' | 'files' | 'health' | 'job-status' | 'preview' | 'query' | 'submit' | 'tables' | 'upload' | 'web'

/** The functions, as their folders under functions/ name them. */
export const FUNCTIONS = ['docs', 'files', 'health', 'job-status', 'preview', 'query', 'submit', 'tables', 'upload'] as const satisfies readonly ServiceName[]

/** The API routes (OpenAPI paths, `{param}` segments) each function serves, from its routes.ts. */
const API_PATHS: Record<Exclude<ServiceName, 'docs' | 'web'>, readonly string[]> = {
  upload: uploadRoutes.map((r) => r.path),
  preview: previewRoutes.map((r) => r.path),
  submit: submitRoutes.map((r) => r.path),
  'job-status': jobStatusRoutes.map((r) => r.path),
  query: queryRoutes.map((r) => r.path),
  tables: tablesRoutes.map((r) => r.path),
  files: filesRoutes.map((r) => r.path),
  health: healthRoutes.map((r) => r.path),
}

/** One rule of the ingress: requests whose path is `path` (exact) or starts with `path` + '/' (prefix) go to `service`. */
export type Route = { match: 'exact' | 'prefix'; path: string; service: ServiceName }

/**
 * The one routing table of a deployment, from which the ingress of the local container deployment
 * (nginx) and the Knative ingress (HTTPRoutes) are made, and against which the OpenAPI document is
 * checked: every API route goes to exactly one service, `/api/docs` and `/api/openapi.json` to the
 * docs function (and any other `/api/...`, which it answers with the API's JSON 404), everything
 * else to the web. A route's path up to its first `{param}` is its
 * prefix; longer paths win, so `/api/query/{queryId}` and `/api/query` both go to query.
 */
export function routingTable(): Route[] {
  const routes = new Map<string, Route>()
  const add = (route: Route) => {
    const key = `${route.match} ${route.path}`
    const known = routes.get(key)
    if (known && known.service !== route.service) throw new Error(`${route.path} is claimed by ${known.service} and ${route.service}`)
    routes.set(key, route)
  }
  for (const [service, paths] of Object.entries(API_PATHS) as [ServiceName, readonly string[]][]) {
    for (const path of paths) {
      const cut = path.indexOf('/{')
      add(cut < 0 ? { match: 'exact', path, service } : { match: 'prefix', path: path.slice(0, cut), service })
    }
  }
  add({ match: 'exact', path: '/api/openapi.json', service: 'docs' })
  add({ match: 'prefix', path: '/api/docs', service: 'docs' })
  add({ match: 'exact', path: '/api/docs', service: 'docs' })
  // Any other /api path: the docs function answers it with the API's JSON 404 ("See /api/docs").
  add({ match: 'prefix', path: '/api', service: 'docs' })
  add({ match: 'prefix', path: '/', service: 'web' })
  return [...routes.values()].sort((a, b) => b.path.length - a.path.length || (a.match === 'exact' ? -1 : 1))
}

/** The service a request path goes to under `table` (longest match first, exact before prefix). */
export function serviceFor(table: readonly Route[], path: string): ServiceName {
  for (const route of table) {
    if (route.match === 'exact' ? path === route.path : path === route.path || path.startsWith(route.path.endsWith('/') ? route.path : route.path + '/')) return route.service
  }
  return 'web'
}
