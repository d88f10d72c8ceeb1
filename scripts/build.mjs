// Bundles the local gateway and each function into dist/ with esbuild (well under a second, so
// `npm start` simply rebuilds every time). Packages stay external: they load from node_modules.
import { build } from 'esbuild'
import { readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const functionsDir = join(root, 'functions')
const entryPoints = { gateway: join(functionsDir, 'gateway', 'main.ts') }
for (const name of readdirSync(functionsDir)) {
  const main = join(functionsDir, name, 'main.ts')
  if (name !== 'gateway' && existsSync(main)) entryPoints[`functions/${name}`] = main
}

await build({
  entryPoints,
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
})
