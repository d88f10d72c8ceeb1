// Runs on whatever Node the machine has: makes sure a Docker daemon answers, for the container
// tests (deploy/) and `node scripts/images.mjs`. When dockerd or mmdebstrap (which makes the base
// image from Debian's packages: no registry is needed) is missing, installs Debian's packages
// (docker.io, mmdebstrap) as root; when dockerd is not running, starts it in the background, as
// root, logging to /var/log/csvlake-dockerd.log, and waits for `docker info`. Prints nothing when
// all is there, one line for each thing it does, and a clear error (exit 1) when it cannot.
//   --if-possible  when Docker cannot be made to run (not root, no apt-get), say so and exit 0:
//                  the container tests then skip, saying why (CI sets CSVLAKE_REQUIRE_DOCKER=1).
import { spawn, spawnSync } from 'node:child_process'
import { openSync } from 'node:fs'

const LOG = '/var/log/csvlake-dockerd.log'
const optional = process.argv.includes('--if-possible')
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
const answers = () => spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 20_000 }).status === 0
const root = typeof process.getuid === 'function' && process.getuid() === 0
const fail = (message) => {
  const text = `csvlake: the container tests need a running Docker daemon. ${message}`
  if (optional) {
    console.log(`${text} The container tests will be skipped.`)
    process.exit(0)
  }
  console.error(text)
  process.exit(1)
}

const missing = ['docker', 'dockerd', 'mmdebstrap'].filter((cmd) => !has(cmd))
if (missing.length) {
  // The packages that bring them (docker.io brings the client, dockerd, containerd, runc and tini).
  const packages = [...new Set(missing.map((cmd) => (cmd === 'mmdebstrap' ? 'mmdebstrap' : 'docker.io')))]
  const install = `apt-get update && apt-get install -y ${packages.join(' ')}`
  if (process.platform !== 'linux' || !has('apt-get')) fail(`${missing.join(', ')} missing and no apt-get to install them with: install Docker and mmdebstrap yourself.`)
  if (!root) fail(`${missing.join(', ')} missing: run this as root, then the tests again: ${install}`)
  console.log(`csvlake: installing ${packages.join(' and ')} for the container tests (apt-get install ${packages.join(' ')})...`)
  // apt's output (and debconf's chatter) is shown only when the install fails.
  const result = spawnSync('sh', ['-c', `(${install}) 2>&1`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 256 * 1024 * 1024 })
  if (result.status !== 0 || ['docker', 'dockerd', 'mmdebstrap'].some((cmd) => !has(cmd))) {
    process.stderr.write(result.stdout ?? '')
    fail(`Installing them failed (see above); run this as root, then the tests again: ${install}`)
  }
}

if (!answers()) {
  if (!root) fail('dockerd is not running and only root can start it here: start it (e.g. `sudo dockerd &` or `sudo systemctl start docker`), then run the tests again.')
  console.log(`csvlake: starting dockerd in the background (log: ${LOG})...`)
  const log = openSync(LOG, 'a')
  // Detached, in a session of its own: it outlives this script and the test run, as a service would.
  const daemon = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] })
  daemon.unref()
  let exited = false
  daemon.once('exit', () => (exited = true))
  const deadline = Date.now() + 60_000
  while (!answers()) {
    if (exited || Date.now() > deadline) fail(`dockerd ${exited ? 'exited' : 'did not answer within 60 s'}; see ${LOG}.`)
    await new Promise((r) => setTimeout(r, 500))
  }
}
