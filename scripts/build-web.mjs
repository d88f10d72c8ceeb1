// Builds the web UI (Next.js static export) into web/out - only when its sources changed since the
// last build, so a second `npm start` does not pay for it. The stamp is a hash of every source file
// of web/ and of the workspace package it shares with the server, functions/shared/ (not what the build or
// api-types generate there, nor anything git ignores), and of the lock file.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')
const web = join(root, 'web')
export const WEB_OUT = join(web, 'out')
const stampFile = join(WEB_OUT, '.csvlake-build')

// Tests, build output and installed packages do not change what is built.
const SKIP = new Set(['node_modules', 'out', '.next', 'e2e', 'test-results'])
const isTest = (name) => /\.test\.tsx?$/.test(name)
// What the build and `npm run api-types` write into web/ themselves (all git-ignored): counted, they
// would change the hash after the first build, and the second start would build again.
const GENERATED = new Set(['next-env.d.ts', join('lib', 'api', 'schema.d.ts')])
const isGenerated = (webDir, path) => GENERATED.has(relative(webDir, path)) || path.endsWith('.tsbuildinfo')

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* sources(path)
    else if (!isTest(entry.name)) yield path
  }
}

/** A hash of what the web build is made of: its sources, the shared rules it imports (@csvlake/shared), the lock. */
export function webSourceHash(base = root) {
  const hash = createHash('sha256')
  const webDir = join(base, 'web')
  const webFiles = [...sources(webDir)].filter((path) => !isGenerated(webDir, path))
  const sharedFiles = [...sources(join(base, 'functions', 'shared'))]
  const files = [...notIgnored(base, [...webFiles, ...sharedFiles]), join(base, 'package-lock.json')]
  for (const file of files.sort()) hash.update(relative(base, file)).update('\0').update(readFileSync(file)).update('\0')
  return hash.digest('hex')
}

/** Leaves out the files git ignores (outside a git checkout, such as an unpacked tarball, keeps them all). */
function notIgnored(base, files) {
  const result = spawnSync('git', ['check-ignore', '--stdin', '-z'], {
    cwd: base,
    input: files.map((file) => relative(base, file)).join('\0'),
    encoding: 'utf8',
  })
  // 0: some are ignored, 1: none is; anything else (no git, not a checkout) says nothing.
  if (result.status !== 0 && result.status !== 1) return files
  const ignored = new Set(result.stdout.split('\0').filter(Boolean))
  return files.filter((file) => !ignored.has(relative(base, file)))
}

export function buildWeb({ force = false } = {}) {
  const want = webSourceHash()
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === want) return { built: false }
  rmSync(WEB_OUT, { recursive: true, force: true })
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: web,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  })
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr)
    throw new Error('csvlake: the web build failed; see the messages above')
  }
  writeFileSync(stampFile, want + '\n')
  return { built: true }
}

if (import.meta.main) {
  const started = Date.now()
  const { built } = buildWeb({ force: process.argv.includes('--force') })
  console.log(built ? `csvlake: built the web UI in ${Date.now() - started} ms` : 'csvlake: the web UI is up to date')
}
