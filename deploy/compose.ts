import { randomBytes } from 'node:crypto'
import { docker, dockerOk } from './docker.ts'
import { imageRef } from './image-plan.ts'
import { BASE_IMAGE } from './images.ts'
import { FUNCTIONS, type ServiceName } from './routing.ts'

/**
 * The local deployment, the shape of the cloud one: every function in a container of its own
 * (local mode, on one shared data volume), the web in its own, and the ingress in front, all on
 * one Docker network where each is known by its service name. Plain `docker network` / `docker
 * run` (no compose plugin needed). Every container runs as uid 10001 with a read-only root file
 * system and a tmpfs /tmp, as the Knative Services do (readOnlyRootFilesystem).
 *
 * One process namespace for all the functions: local mode's disk locks
 * (functions/core/adapters/local/disk-key-lock.ts) hold a pid and break the lock of a pid that is
 * not running. In namespaces of their own every function is pid 1 (or near it), so a function
 * would take another's live lock for its own dead one and break it. They share the namespace of a
 * holder container (as a Kubernetes pod's containers share the pause container's), where every
 * pid is unique and `kill(pid, 0)` sees the others. The holder runs tini (`--init`), so processes
 * a stopped container leaves are reaped; it is never stopped (its end would end the namespace and
 * every process in it). `--pid=host` would do too, but shows each container the host's processes.
 */

/** A running deployment: its ingress URL, and what the tests and the bench need to drive it. */
export type Deployment = {
  name: string
  /** `http://localhost:PORT`: the ingress, published on this machine's loopback only. */
  url: string
  /** The container of a service (or of the ingress). */
  container: (service: ServiceName | 'ingress') => string
  /** Stops a service's container (SIGTERM, as Knative scales to zero) and answers when it is gone. */
  stop: (service: ServiceName) => void
  /** Starts it again and answers when it is listening. */
  start: (service: ServiceName) => Promise<void>
  /** Removes every container, the network and the data volume. */
  down: () => void
}

export type UpOptions = {
  /** Names the containers, network and volume (`csvlake-<name>-...`), so several can coexist. */
  name: string
  /** The ingress's port on 127.0.0.1 (0: one Docker picks). */
  port?: number
  /** More environment for every function (CSVLAKE_*). */
  env?: Record<string, string>
  /** How long a container may take to say it is listening. */
  readyMs?: number
}

const LABEL = 'csvlake.deployment'

/** The `docker run` flags every service's container gets: non-root, read-only root, writes only to /tmp (and /data). */
export function hardened(): string[] {
  return ['--read-only', '--tmpfs', '/tmp:rw,nosuid,nodev,mode=1777', '--user', '10001:10001', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges']
}

/** Starts the deployment and answers when every container listens. Tears down what it started if a step fails. */
export async function up(opts: UpOptions): Promise<Deployment> {
  const prefix = `csvlake-${opts.name}`
  const network = prefix
  const volume = `${prefix}-data`
  const holder = `${prefix}-pid`
  const container = (service: ServiceName | 'ingress') => `${prefix}-${service}`
  const readyMs = opts.readyMs ?? 30_000
  const down = () => teardown(opts.name)
  down()
  try {
    dockerOk(['network', 'create', '--label', `${LABEL}=${opts.name}`, network])
    dockerOk(['volume', 'create', '--label', `${LABEL}=${opts.name}`, volume])
    dockerOk(['run', '-d', '--name', holder, '--label', `${LABEL}=${opts.name}`, '--init', '--network', 'none', ...hardened(), BASE_IMAGE, 'sleep', 'infinity'])
    // Every function signs and checks query export links with one secret, as the Knative Secret gives them.
    const env = { HOST: '0.0.0.0', CSVLAKE_DOWNLOAD_SECRET: randomBytes(32).toString('hex'), ...opts.env }
    const run = (service: ServiceName | 'ingress', image: string, extra: string[]) =>
      dockerOk(['run', '-d', '--name', container(service), '--label', `${LABEL}=${opts.name}`, '--network', network, '--network-alias', service, ...hardened(), ...extra, image])
    for (const fn of FUNCTIONS) {
      run(fn, imageRef(fn, 'local'), ['--pid', `container:${holder}`, '-v', `${volume}:/data`, ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`])])
    }
    run('web', imageRef('web', 'local'), [])
    run('ingress', imageRef('ingress', 'local'), ['-p', `127.0.0.1:${opts.port ?? 0}:8080`])
    await Promise.all([...FUNCTIONS.map((fn) => waitForLog(container(fn), /listening/, 1, readyMs))])
    const port = Number(/:(\d+)\s*$/.exec(dockerOk(['port', container('ingress'), '8080/tcp']).split('\n')[0]!)?.[1])
    const url = `http://localhost:${port}`
    await waitForHttp(`${url}/`, readyMs)
    return {
      name: opts.name,
      url,
      container,
      stop: (service) => {
        dockerOk(['stop', '-t', '20', container(service)])
      },
      start: async (service) => {
        const before = listeningLines(container(service))
        dockerOk(['start', container(service)])
        await waitForLog(container(service), /listening/, before + 1, readyMs)
      },
      down,
    }
  } catch (err) {
    const logs = [...FUNCTIONS, 'web', 'ingress'].map((s) => `--- ${s}:\n${docker(['logs', '--tail', '20', container(s as ServiceName)]).stderr.slice(-1500)}`).join('\n')
    down()
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logs}`)
  }
}

/** Removes a deployment's containers, network and volume (whatever of them exists). */
export function teardown(name: string): void {
  const ids = docker(['ps', '-aq', '--filter', `label=${LABEL}=${name}`]).stdout.split('\n').filter(Boolean)
  if (ids.length) docker(['rm', '-f', '-v', ...ids])
  docker(['network', 'rm', `csvlake-${name}`])
  docker(['volume', 'rm', '-f', `csvlake-${name}-data`])
}

function listeningLines(container: string): number {
  const logs = docker(['logs', container])
  return (logs.stdout + logs.stderr).split('\n').filter((l) => /listening/.test(l)).length
}

/** Waits until a container's log holds `count` lines matching `pattern`; fails early when it exits. */
async function waitForLog(container: string, pattern: RegExp, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const logs = docker(['logs', container])
    if ((logs.stdout + logs.stderr).split('\n').filter((l) => pattern.test(l)).length >= count) return
    const state = docker(['inspect', '--format', '{{.State.Status}}', container]).stdout.trim()
    if (state === 'exited' || state === 'dead') throw new Error(`${container} exited before it was listening:\n${(logs.stdout + logs.stderr).slice(-3000)}`)
    if (Date.now() > deadline) throw new Error(`${container} did not say it was listening within ${timeoutMs} ms:\n${(logs.stdout + logs.stderr).slice(-3000)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Waits until `url` answers 200. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<number> {
  const started = performance.now()
  for (;;) {
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (res.status === 200) return performance.now() - started
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

// `node --experimental-transform-types deploy/compose.ts up [name] [port]` / `... down [name]`: the deployment by hand.
if (import.meta.main) {
  const [command, name = 'dev', port = '8080'] = process.argv.slice(2)
  if (command === 'up') {
    const deployment = await up({ name, port: Number(port) })
    console.log(`csvlake: the deployment ${name} answers at ${deployment.url} (down: node --experimental-transform-types deploy/compose.ts down ${name})`)
  } else if (command === 'down') teardown(name)
  else {
    console.error('usage: node --experimental-transform-types deploy/compose.ts up [name] [port] | down [name]')
    process.exit(1)
  }
}
