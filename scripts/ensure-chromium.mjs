// Runs on whatever Node the machine has: makes sure a `chromium` is on the PATH for the browser
// tests (playwright-core drives it; no browser is ever downloaded). When it is missing, installs
// Debian's package: as root directly, else through sudo when there is one, else says exactly what
// to run. Prints nothing when Chromium is already there, one line when it installs it.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
const found = () => has('chromium') || existsSync('/usr/bin/chromium')

if (!found()) {
  const install = 'apt-get update && apt-get install -y chromium'
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  const fail = (message) => {
    console.error(`csvlake: the browser tests need Chromium (as \`chromium\` on the PATH). ${message}`)
    process.exit(1)
  }
  if (process.platform !== 'linux' || !has('apt-get')) {
    fail('This machine has no apt-get to install it with: install Chromium yourself, check that `command -v chromium` finds it, and run the tests again.')
  }
  if (!root && !has('sudo')) fail(`Run this as root, then the tests again: ${install}`)

  console.log('csvlake: installing Chromium for the browser tests (apt-get install chromium)...')
  // sudo resets the environment, so the non-interactive frontend is passed through env(1).
  const command = root ? install : `sudo env DEBIAN_FRONTEND=noninteractive sh -c '${install}'`
  // apt's output (and debconf's chatter) is shown only when the install fails.
  const result = spawnSync('sh', ['-c', `(${command}) 2>&1`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 256 * 1024 * 1024,
  })
  if (result.status !== 0 || !found()) {
    process.stderr.write(result.stdout ?? '')
    fail(`Installing it failed (see above); run this${root ? '' : ' as root'}, then the tests again: ${install}`)
  }
}
