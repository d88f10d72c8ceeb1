// Bundles the local gateway and each function into dist/ (well under a second, so `npm start`
// simply rebuilds every time).
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { bundle } from './bundle.mjs'

const root = join(import.meta.dirname, '..')
const functionsDir = join(root, 'functions')
const entryPoints = { gateway: join(functionsDir, 'gateway', 'main.ts') }
for (const name of readdirSync(functionsDir)) {
  const main = join(functionsDir, name, 'main.ts')
  if (name !== 'gateway' && existsSync(main)) entryPoints[`functions/${name}`] = main
}
await bundle(join(root, 'dist'), entryPoints)
