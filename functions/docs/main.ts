import { runFunction } from '../core/http/run-function.ts'
import { functionApps } from '../gateway/app.ts'
import { createDocsApp } from './app.ts'

await runFunction('docs', (services) => createDocsApp({ log: services.log, apps: functionApps(services) as never }))
