// Runs on whatever Node the machine has (even an old one): installs the project's pinned
// dependencies, Node 24 among them, when node_modules is missing or older than the lock file.
// Plain JavaScript on purpose - it must run before anything is installed.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const lock = join(root, 'package-lock.json')
const stamp = join(root, 'node_modules', '.csvlake-installed')
const pinnedNode = join(root, 'node_modules', '.bin', 'node')

const want = createHash('sha256').update(readFileSync(lock)).digest('hex')
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : ''

if (want !== have || !existsSync(pinnedNode)) {
  console.log('csvlake: installing dependencies (first run, or the lock file changed)...')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.status !== 0) {
    console.error('csvlake: npm ci failed; see the messages above.')
    process.exit(result.status ?? 1)
  }
  writeFileSync(stamp, want + '\n')
}
