// Writes knative/base/ from the routing table (deploy/routing.ts) and the sizing (knative/settings.ts):
//   node_modules/.bin/node knative/generate.ts
// knative/generate.test.ts fails when the committed files differ from what this makes.
import { spawnSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

if (!process.execArgv.includes('--experimental-transform-types')) {
  // The functions' route files (read for the routing table) use TypeScript that type stripping
  // alone cannot run (parameter properties): run again with type transformation.
  const run = spawnSync(process.execPath, ['--experimental-transform-types', '--no-warnings', import.meta.filename], { stdio: 'inherit' })
  process.exit(run.status ?? 1)
}

const { BASE_DIR, baseFiles } = await import('./base-files.ts')
await mkdir(BASE_DIR, { recursive: true })
for (const [name, text] of Object.entries(baseFiles())) await writeFile(join(BASE_DIR, name), text)
console.log(`wrote ${Object.keys(baseFiles()).length} files to ${BASE_DIR}`)
