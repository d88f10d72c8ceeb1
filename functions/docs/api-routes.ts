import type { RouteSpec } from '../core/http/openapi.ts'
import { routes as filesRoutes } from '../files/routes.ts'
import { routes as healthRoutes } from '../health/routes.ts'
import { routes as jobStatusRoutes } from '../job-status/routes.ts'
import { routes as previewRoutes } from '../preview/routes.ts'
import { routes as queryRoutes } from '../query/routes.ts'
import { routes as submitRoutes } from '../submit/routes.ts'
import { routes as tablesRoutes } from '../tables/routes.ts'
import { routes as uploadRoutes } from '../upload/routes.ts'

/**
 * Every route of the API, each function's in turn, in the order the gateway mounts them (so the
 * document lists them as it always has). Only route data is imported here: building the document
 * needs no services, no adapters and no gateway - as a function scaled out alone on Knative has none
 * of the others. A test checks this list against what the gateway mounts.
 */
export const apiRoutes: readonly RouteSpec[] = [
  ...uploadRoutes,
  ...previewRoutes,
  ...submitRoutes,
  ...jobStatusRoutes,
  ...queryRoutes,
  ...tablesRoutes,
  ...filesRoutes,
  ...healthRoutes,
]
