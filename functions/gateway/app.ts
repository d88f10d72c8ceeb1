import { createDocsApp } from '../docs/app.ts'
import { swaggerUiAssets } from '../core/adapters/swagger-ui-assets.ts'
import { createFilesApp } from '../files/app.ts'
import { createHealthApp } from '../health/app.ts'
import { createJobStatusApp } from '../job-status/app.ts'
import { createPreviewApp } from '../preview/app.ts'
import { createQueryApp } from '../query/app.ts'
import { createSubmitApp } from '../submit/app.ts'
import { createTablesApp } from '../tables/app.ts'
import { createUploadApp } from '../upload/app.ts'
import type { Services } from '../core/services.ts'
import type { Metrics } from '../core/http/metrics.ts'
import { createRootApp } from '../core/http/root-app.ts'
import { LANDING_PAGE } from './landing-page.ts'
import { webUiHandler } from './web-ui.ts'

/** Every function's app as the gateway mounts them, in one list (the docs list their routes in this order: docs/api-routes.ts). */
export function functionApps(services: Services) {
  return [
    createUploadApp(services),
    createPreviewApp(services),
    createSubmitApp(services),
    createJobStatusApp(services),
    createQueryApp(services),
    createTablesApp(services),
    createFilesApp(services),
    createHealthApp(services),
  ]
}

/**
 * Local mode's single entry point: every function under /api, the API docs, and the UI at /,
 * on one port. In the cloud the ingress routes the same paths to one Knative service each.
 * Its request log names the function `gateway` (the route tells which function's it is).
 */
export function createGatewayApp(services: Services, metrics?: Metrics) {
  const app = createRootApp(services.log, services.config, { name: 'gateway', ...(metrics ? { metrics } : {}) })
  const apps = functionApps(services)
  for (const sub of apps) app.route('/', sub)
  app.route('/', createDocsApp({ log: services.log, assets: swaggerUiAssets() }))
  // The web UI for every other GET; unknown /api paths still answer the API's JSON 404.
  const web = webUiHandler(services.config.webDir, LANDING_PAGE)
  app.get('*', async (c, next) => (c.req.path === '/api' || c.req.path.startsWith('/api/') ? next() : web(c)))
  return app
}
