import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { loadConfig } from '../functions/core/config.ts'
import { MAX_JSON_BODY_BYTES } from '../functions/core/http/json-body-limit.ts'
import { docker, dockerAsync, dockerOk, imageExists } from './docker.ts'
import { appSourceIn, duckdbFunctions, imageRef, runtimePackages, type FunctionName, type Mode } from './image-plan.ts'
import { ingressConf, webConf } from './nginx-conf.ts'
import { FUNCTIONS, routingTable } from './routing.ts'

export const REPO = join(import.meta.dirname, '..')
/** Where the build context is staged (ignored by git). */
export const CONTEXT = join(REPO, '.artifacts', 'images', 'context')
export const DOCKERFILE = join(REPO, 'deploy', 'Dockerfile')

/** The base every image starts from here; a real build passes a pinned public one (BASE build argument). */
export const BASE_IMAGE = 'csvlake-base:bookworm'
/** The port every service listens on in its container (PORT). */
export const PORT = 8080

/**
 * Every image: one per function, the web and the ingress (what the local deployment runs), and
 * the prepare image (aws mode only: the ingest's staging and conversion Jobs on EKS; locally the
 * same code runs inside the workflow).
 */
export type ImageName = FunctionName | 'web' | 'ingress' | 'prepare'
export const IMAGES: readonly ImageName[] = [...FUNCTIONS, 'web', 'ingress', 'prepare']

type Log = (line: string) => void

/**
 * mmdebstrap's arguments for the base: Debian bookworm (with its updates and security suites),
 * the minbase variant plus what Node and DuckDB need (libstdc++6) and TLS roots for AWS; merged
 * /usr without the usrmerge package (which pulls in perl), no man pages, docs or translations.
 */
export function mmdebstrapArgs(out: string): string[] {
  return [
    '--variant=minbase',
    '--include=ca-certificates,libstdc++6',
    '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
    ...['/usr/share/man/*', '/usr/share/locale/*', '/usr/share/doc/*', '/usr/share/info/*'].map((p) => `--dpkgopt=path-exclude=${p}`),
    '--dpkgopt=path-include=/usr/share/doc/*/copyright',
    'bookworm',
    out,
    'deb http://deb.debian.org/debian bookworm main',
    'deb http://deb.debian.org/debian bookworm-updates main',
    'deb http://deb.debian.org/debian-security bookworm-security main',
  ]
}

/**
 * The base image made from Debian's packages (no registry is needed): a root file system from
 * mmdebstrap, imported as an image. Skipped when the image exists (`force` makes it again).
 */
export function ensureBaseImage(opts: { force?: boolean; log: Log }): 'cached' | 'built' {
  if (!opts.force && imageExists(BASE_IMAGE)) return 'cached'
  const scratch = mkdtempSync(join(tmpdir(), 'csvlake-base-'))
  try {
    const tar = join(scratch, 'rootfs.tar')
    opts.log(`csvlake: making ${BASE_IMAGE} from Debian packages (mmdebstrap)...`)
    const made = spawnSync('mmdebstrap', mmdebstrapArgs(tar), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    if (made.status !== 0) {
      throw new Error(`mmdebstrap failed${made.error ? ` (${made.error.message}; is it installed? node scripts/ensure-docker.mjs installs it)` : ''}:\n${(made.stderr ?? '').slice(-4000)}`)
    }
    dockerOk(['import', '--change', 'CMD ["/bin/sh"]', tar, BASE_IMAGE])
    return 'built'
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** Which runtime layer (Node alone, or Node with DuckDB) each function's image gets in `mode`. */
export function runtimeOf(name: FunctionName, mode: Mode): 'node' | 'duckdb' {
  return duckdbFunctions(mode, appSourceIn(REPO)).includes(name) ? 'duckdb' : 'node'
}

/** Copies a file, making its folder first. */
function put(from: string, to: string) {
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(from, to)
}

/** The project's pinned Node, stripped of its debug symbols (126 MB to 108 MB) when `strip` is there; redone only when the binary changed. */
function stageNode(log: Log) {
  const source = join(REPO, 'node_modules', 'node', 'bin', 'node')
  const target = join(CONTEXT, 'node', 'node')
  if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) return
  mkdirSync(dirname(target), { recursive: true })
  const stripped = spawnSync('strip', ['-o', target, source], { encoding: 'utf8' })
  if (stripped.status !== 0) {
    log(`csvlake: strip is not available (${stripped.error?.message ?? stripped.stderr.trim()}); the image gets Node unstripped`)
    copyFileSync(source, target)
  }
}

/** A package from the checkout's node_modules (the whole folder, or only `files` of it) into `nodeModules`. */
function stagePackage(pkg: { name: string; files?: readonly string[] }, nodeModules: string) {
  const from = join(REPO, 'node_modules', pkg.name)
  if (!existsSync(from)) throw new Error(`${pkg.name} is not installed in node_modules (npm install)`)
  const to = join(nodeModules, pkg.name)
  if (pkg.files) for (const f of pkg.files) put(join(from, f), join(to, f))
  else cpSync(from, to, { recursive: true, dereference: true })
}

/**
 * One function's own files under /app: `main.mjs`, the fixed entry the image starts (it imports
 * `dist/functions/<name>.mjs`), and the run-time packages other than DuckDB (the docs page's
 * Swagger UI files). The bundle itself (dist/) is one layer all functions share: each function
 * loads 95-98% of it (measured: 12.7 to 13.1 of 13.4 MB, source maps included, since the chunks
 * of both modes' adapters load lazily and every function can reach them), so per-function copies
 * would save under 0.7 MB each and cost a 13 MB layer per image instead of one for all.
 */
function stageApp(name: FunctionName | 'prepare'): void {
  const dir = join(CONTEXT, 'apps', name)
  if (name !== 'prepare') for (const pkg of runtimePackages(name, false)) stagePackage(pkg, join(dir, 'node_modules'))
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'main.mjs'), `// The ${name} ${name === 'prepare' ? 'program' : 'function'} (the image's entry).\nimport './dist/functions/${name}.mjs'\n`)
}

/**
 * Stages the build context: Node, DuckDB's packages, the bundle (dist/ but the gateway), each
 * function's entry, the web's static export and both nginx configurations (the ingress's generated from
 * the routing table). Needs `npm run build` first; rebuilding here would change dist/ under
 * whatever else is running from it.
 */
export function stageContext(modes: readonly Mode[], log: Log): Map<FunctionName, Set<'node' | 'duckdb'>> {
  for (const need of ['dist/query-sandbox.mjs', ...[...FUNCTIONS, 'prepare'].map((f) => `dist/functions/${f}.mjs`), 'web/out/index.html']) {
    if (!existsSync(join(REPO, need))) throw new Error(`${need} is missing: run \`npm run build\` first (npm test does).`)
  }
  stageNode(log)
  const duckdbModules = join(CONTEXT, 'duckdb', 'node_modules')
  rmSync(join(CONTEXT, 'duckdb'), { recursive: true, force: true })
  for (const pkg of runtimePackages('query', true).filter((p) => p.name.startsWith('@duckdb/'))) stagePackage(pkg, duckdbModules)
  rmSync(join(CONTEXT, 'dist'), { recursive: true, force: true })
  cpSync(join(REPO, 'dist'), join(CONTEXT, 'dist'), { recursive: true, filter: (src) => !/[/\\]dist[/\\](bench|gateway\.mjs)/.test(src) })
  const runtimes = new Map<FunctionName, Set<'node' | 'duckdb'>>()
  rmSync(join(CONTEXT, 'apps'), { recursive: true, force: true })
  for (const name of FUNCTIONS) {
    runtimes.set(name, new Set(modes.map((mode) => runtimeOf(name, mode))))
    stageApp(name)
  }
  stageApp('prepare')
  rmSync(join(CONTEXT, 'web'), { recursive: true, force: true })
  cpSync(join(REPO, 'web', 'out'), join(CONTEXT, 'web'), { recursive: true })
  const defaults = loadConfig({})
  mkdirSync(join(CONTEXT, 'nginx'), { recursive: true })
  writeFileSync(join(CONTEXT, 'nginx', 'web.conf'), webConf({ port: PORT, root: '/srv/web' }))
  writeFileSync(
    join(CONTEXT, 'nginx', 'ingress.conf'),
    ingressConf(routingTable(), {
      upstreamPort: PORT,
      maxUploadBytes: defaults.maxUploadBytes,
      queryTimeoutMs: defaults.query.timeoutMs,
      maxJsonBodyBytes: MAX_JSON_BODY_BYTES,
      resolver: '127.0.0.11',
    }),
  )
  return runtimes
}

/** One `docker build` of deploy/Dockerfile (the classic builder, or BuildKit where the client has it). */
async function dockerBuild(target: string, tags: string[], args: Record<string, string>, base: string) {
  const buildArgs = Object.entries({ BASE: base, ...args }).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`])
  await dockerAsync(['build', '-q', '-f', DOCKERFILE, '--target', target, ...buildArgs, ...tags.flatMap((t) => ['-t', t]), CONTEXT])
}

/**
 * Builds the images: each function in each mode (a function whose two modes need the same
 * runtime is built once and tagged twice), the web and the ingress (local only: the cloud has its
 * own). `only` builds one. Answers the image references it tagged.
 */
export async function buildImages(opts: { only?: ImageName; modes?: readonly Mode[]; base?: string; log: Log }): Promise<string[]> {
  const modes = opts.modes ?? ['local', 'aws']
  const base = opts.base ?? BASE_IMAGE
  if (base === BASE_IMAGE && !imageExists(BASE_IMAGE)) throw new Error(`${BASE_IMAGE} is missing: run \`node scripts/images.mjs base\` first.`)
  if (opts.only && !IMAGES.includes(opts.only)) throw new Error(`No image named ${opts.only}; the images are ${IMAGES.join(', ')}.`)
  const runtimes = stageContext(modes, opts.log)
  const tagged: string[] = []
  const wanted = (name: ImageName) => opts.only === undefined || opts.only === name
  for (const name of FUNCTIONS.filter(wanted)) {
    for (const runtime of runtimes.get(name)!) {
      const tags = modes.filter((mode) => runtimeOf(name, mode) === runtime).map((mode) => imageRef(name, mode))
      await dockerBuild('function', tags, { FUNCTION: name, RUNTIME: runtime }, base)
      tagged.push(...tags)
    }
  }
  if (wanted('web')) {
    const tags = modes.map((mode) => imageRef('web', mode))
    await dockerBuild('web', tags, {}, base)
    tagged.push(...tags)
  }
  if (wanted('ingress') && modes.includes('local')) {
    await dockerBuild('ingress', [imageRef('ingress')], {}, base)
    tagged.push(imageRef('ingress'))
  }
  if (wanted('prepare') && modes.includes('aws')) {
    await dockerBuild('prepare', [imageRef('prepare', 'aws')], {}, base)
    tagged.push(imageRef('prepare', 'aws'))
  }
  return tagged
}

/**
 * Tags the aws-mode images (every function and the web: Knative runs them; the ingress is the
 * local deployment's) as `<registry>/csvlake-<name>:<tag>` and pushes them. Needs a registry
 * this machine can reach and a `docker login` to it, so it is not run here.
 */
export function pushImages(opts: { registry: string; tag: string; log: Log }): string[] {
  const pushed: string[] = []
  for (const name of [...FUNCTIONS, 'web', 'prepare'] as const) {
    const local = imageRef(name, 'aws')
    if (!imageExists(local)) throw new Error(`${local} is missing: run \`node scripts/images.mjs build\` first.`)
    const remote = `${opts.registry.replace(/\/+$/, '')}/csvlake-${name}:${opts.tag}`
    dockerOk(['tag', local, remote])
    opts.log(`csvlake: pushing ${remote}`)
    dockerOk(['push', remote])
    pushed.push(remote)
  }
  return pushed
}

/** Each built image's size in bytes (as `docker image inspect` counts it: every layer, the base's too). */
export function imageSizes(): { ref: string; bytes: number }[] {
  const refs = [BASE_IMAGE, ...(['local', 'aws'] as const).flatMap((mode) => [...FUNCTIONS, 'web'].map((n) => imageRef(n, mode))), imageRef('ingress'), imageRef('prepare', 'aws')]
  return refs.flatMap((ref) => {
    const found = docker(['image', 'inspect', '--format', '{{.Size}}', ref])
    return found.status === 0 ? [{ ref, bytes: Number(found.stdout.trim()) }] : []
  })
}

