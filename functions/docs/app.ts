import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Logger } from '../core/logger.ts'
import { createApp, type CsvlakeApp } from '../core/http/openapi.ts'

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>csvlake API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true })</script>
</body></html>`

/**
 * The OpenAPI document of every route of `apps` (generated from the zod schemas that validate
 * them) and a browsable docs page whose assets are served from here: it works offline.
 */
export function createDocsApp(deps: { log: Logger; apps: CsvlakeApp[] | (() => Promise<CsvlakeApp[]>) }) {
  const app = createApp(deps.log)
  // Generated on first request, not at start-up: a cold start does not pay for it (nor loads the generator).
  let document: Record<string, unknown> | undefined
  const generate = async () => {
    const apps = typeof deps.apps === 'function' ? await deps.apps() : deps.apps
    const { openApiDocument } = await import('../core/http/openapi-document.ts')
    return openApiDocument(
      apps.flatMap((sub) => sub.operations),
      {
        title: 'csvlake API',
        version: '0.1.0',
        description:
          'Upload CSV files, preview them, submit them to the ingest workflow, and query them with SQL. ' +
          'Errors always look like {"error": {"code", "message"}}. ' +
          'With an identity provider, every call but health, config and these docs needs a bearer JWT.',
      },
    )
  }
  const assetDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  app.get('/api/openapi.json', async (c) => c.json((document ??= await generate())))
  app.get('/api/docs', (c) => c.html(PAGE))
  app.get('/api/docs/:asset', async (c) => {
    const asset = c.req.param('asset')
    const type = ASSETS[asset]
    if (!type) return c.json({ error: { code: 'NOT_FOUND', message: 'No such docs asset' } }, 404)
    return c.body(await readFile(join(assetDir, asset)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' })
  })
  return app
}
