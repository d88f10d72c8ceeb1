// Bundles the local gateway and each function into dist/ (well under a second, so `npm start`
// simply rebuilds them every time), then the web UI into web/out when its sources changed.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { bundle } from './bundle.mjs'

const root = join(import.meta.dirname, '..')
const functionsDir = join(root, 'functions')
const entryPoints = {
  gateway: join(functionsDir, 'gateway', 'main.ts'),
  // Each tenant's query sandbox runs as a process of its own, started from this file.
  'query-sandbox': join(functionsDir, 'core', 'adapters', 'local', 'duckdb-sandbox-worker.ts'),
}
for (const name of readdirSync(functionsDir)) {
  const main = join(functionsDir, name, 'main.ts')
  if (name !== 'gateway' && existsSync(main)) entryPoints[`functions/${name}`] = main
}
await bundle(join(root, 'dist'), entryPoints)

// The web UI, which the gateway serves at /; rebuilt only when web/ changed.
const { buildWeb } = await import('./build-web.mjs')
const started = Date.now()
if (buildWeb().built) console.log(`csvlake: built the web UI in ${Date.now() - started} ms`)
