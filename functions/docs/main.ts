import { swaggerUiAssets } from '../core/adapters/swagger-ui-assets.ts'
import { runFunction } from '../core/http/run-function.ts'
import { createDocsApp } from './app.ts'

// The functions' routes are loaded on the first request for the document, not at start.
await runFunction('docs', (services) => createDocsApp({ log: services.log, assets: swaggerUiAssets() }))
