import { spawn, spawnSync } from 'node:child_process'

/** What a docker command printed, and how it ended. */
export type DockerResult = { status: number; stdout: string; stderr: string }

/** Runs `docker ...args` to the end (quietly) and answers what it printed. */
export function docker(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): DockerResult {
  const result = spawnSync('docker', args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(opts.input === undefined ? {} : { input: opts.input }),
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
  })
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') }
}

/** Runs `docker ...args` and answers its stdout, trimmed; throws with its stderr when it fails. */
export function dockerOk(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const result = docker(args, opts)
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${result.status}):\n${(result.stderr || result.stdout).slice(-4000)}`)
  return result.stdout.trim()
}

/**
 * Runs `docker ...args` without blocking the event loop (builds take a while; a test's servers
 * keep answering meanwhile), streaming nothing; throws with the end of its output when it fails.
 */
export function dockerAsync(args: readonly string[], opts: { env?: Record<string, string> } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } })
    let out = ''
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-16_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`docker ${args.join(' ')} failed (${code}):\n${out.slice(-6000)}`))))
  })
}

/** Whether a docker daemon answers (the client alone is not enough). */
export function dockerRunning(): boolean {
  return docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 }).status === 0
}

export function imageExists(ref: string): boolean {
  return docker(['image', 'inspect', '--format', '{{.Id}}', ref]).status === 0
}
