// csvlake's container images (deploy/Dockerfile). Run with the project's Node:
//   node scripts/images.mjs base [--force]          the base image from Debian's packages (mmdebstrap + docker import), once
//   node scripts/images.mjs build [--only NAME] [--mode local|aws|all] [--base IMAGE]
//                                                     every image (after `npm run build`): each function, the web, the ingress
//   node scripts/images.mjs push --registry R --tag T  tags the aws-mode images R/csvlake-<name>:T and pushes them
//   node scripts/images.mjs sizes                     each image's size
// `push` needs a registry and a `docker login`; none is reachable where the tests run, so it is
// written to the Docker CLI's documented behaviour and never run by them.
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'

// The deploy modules import the app's TypeScript (the routing table, the config's defaults),
// which needs Node's type transform: run this file again under it.
if (!process.execArgv.includes('--experimental-transform-types')) {
  const again = spawnSync(process.execPath, ['--experimental-transform-types', '--no-warnings', import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(again.status ?? 1)
}

const { ensureBaseImage, buildImages, pushImages, imageSizes, BASE_IMAGE } = await import('../deploy/images.ts')
const { dockerRunning } = await import('../deploy/docker.ts')

const usage = 'usage: node scripts/images.mjs base [--force] | build [--only NAME] [--mode local|aws|all] [--base IMAGE] | push --registry R --tag T | sizes'
const [command, ...rest] = process.argv.slice(2)
const { values } = parseArgs({
  args: rest,
  options: { force: { type: 'boolean' }, only: { type: 'string' }, mode: { type: 'string' }, base: { type: 'string' }, registry: { type: 'string' }, tag: { type: 'string' } },
})
const log = (line) => console.log(line)
const fail = (message) => {
  console.error(`csvlake: ${message}`)
  process.exit(1)
}
if (!command || !['base', 'build', 'push', 'sizes'].includes(command)) fail(usage)
if (!dockerRunning()) fail('no docker daemon answers: run `node scripts/ensure-docker.mjs` (as root) first.')

try {
  if (command === 'base') {
    const started = Date.now()
    if (ensureBaseImage({ force: values.force ?? false, log }) === 'built') log(`csvlake: made ${BASE_IMAGE} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  } else if (command === 'build') {
    const mode = values.mode ?? 'all'
    if (!['local', 'aws', 'all'].includes(mode)) fail(`--mode is local, aws or all; it is ${mode}`)
    const modes = mode === 'all' ? ['local', 'aws'] : [mode]
    if (!values.base) ensureBaseImage({ log })
    const started = Date.now()
    const tagged = await buildImages({ ...(values.only ? { only: values.only } : {}), ...(values.base ? { base: values.base } : {}), modes, log })
    log(`csvlake: built ${tagged.join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  } else if (command === 'push') {
    if (!values.registry || !values.tag) fail(`push needs --registry and --tag\n${usage}`)
    pushImages({ registry: values.registry, tag: values.tag, log })
  } else {
    for (const { ref, bytes } of imageSizes()) log(`${ref.padEnd(28)} ${(bytes / 1024 / 1024).toFixed(1).padStart(7)} MiB`)
  }
} catch (err) {
  fail(err instanceof Error ? err.message : String(err))
}
