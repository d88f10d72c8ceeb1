import type { Logger } from '../core/logger.ts'
import { createApp } from '../core/http/openapi.ts'

const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const

export type DocsAssetName = keyof typeof ASSETS

/** Where the docs page's assets (Swagger UI's) come from: the package installed with the code. */
export type DocsAssets = { read(name: DocsAssetName): Promise<Uint8Array<ArrayBuffer>> }

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>csvlake API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true })</script>
</body></html>`

/**
 * The OpenAPI document of every route of the API, generated from the zod schemas that validate
 * them. The routes are each function's route data (functions/<name>/routes.ts), not its app:
 * building the document loads no service, no adapter and no other function, so the docs function
 * and `npm run api-types` need nothing running. Loaded on demand: a cold start pays for none of it.
 */
export async function apiDocument(): Promise<Record<string, unknown>> {
  const [{ apiRoutes }, { openApiDocument }] = await Promise.all([
    import('./api-routes.ts'),
    import('../core/http/openapi-document.ts'),
  ])
  return openApiDocument([...apiRoutes], {
    title: 'csvlake API',
    version: '0.1.0',
    description:
      'Upload CSV files, preview them, submit them to the ingest workflow, and query them with SQL. ' +
      'Errors always look like {"error": {"code", "message"}}. ' +
      'With an identity provider, every call but health, config and these docs needs a bearer JWT.',
  })
}

/** The document (made on its first request, not at start-up) and a browsable docs page whose assets are served from here: it works offline. */
export function createDocsApp(deps: { log: Logger; assets: DocsAssets }) {
  const app = createApp(deps.log)
  let document: Record<string, unknown> | undefined
  app.get('/api/openapi.json', async (c) => c.json((document ??= await apiDocument())))
  app.get('/api/docs', (c) => c.html(PAGE))
  app.get('/api/docs/:asset', async (c) => {
    const asset = c.req.param('asset')
    if (!isAsset(asset)) return c.json({ error: { code: 'NOT_FOUND', message: 'No such docs asset' } }, 404)
    return c.body(await deps.assets.read(asset), 200, { 'content-type': ASSETS[asset], 'cache-control': 'public, max-age=86400' })
  })
  return app
}

const isAsset = (name: string): name is DocsAssetName => Object.hasOwn(ASSETS, name)
