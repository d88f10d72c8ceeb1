import { runFunction } from '../core/http/run-function.ts'
import { createDocsApp } from './app.ts'

// The other functions' routes are loaded on the first request for the document, not at start.
await runFunction('docs', (services) =>
  createDocsApp({ log: services.log, apps: async () => (await import('../gateway/app.ts')).functionApps(services) }),
)
