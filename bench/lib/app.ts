import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

export const REPO = join(import.meta.dirname, '..', '..')

// Below Linux's ephemeral range (32768+), where the load generator's client sockets live.
let nextPort = 20_000 + Math.floor(Math.random() * 10_000)
export const freePort = () => (nextPort = nextPort >= 32_000 ? 20_000 : nextPort + 1)

export type Running = { url: string; pid: number; child: ChildProcess; stop: () => Promise<void> }

/** Spawns a Node program and waits until `probe` answers 200; answers how long that took. */
export async function startServer(
  args: string[],
  env: Record<string, string>,
  probePath = '/api/health',
): Promise<Running & { startMs: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args, env, probePath)
    } catch (err) {
      // A port taken meanwhile (by anything on the machine): try the next one.
      if (attempt >= 3) throw err
    }
  }
}

async function startOnce(
  args: string[],
  env: Record<string, string>,
  probePath = '/api/health',
): Promise<Running & { startMs: number }> {
  const port = freePort()
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  let exited = false
  child.once('exit', () => (exited = true))
  for (;;) {
    if (exited) throw new Error(`${args.join(' ')} exited before answering`)
    try {
      const res = await fetch(url + probePath)
      await res.arrayBuffer()
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 2))
  }
  const startMs = performance.now() - started
  return {
    url,
    pid: child.pid!,
    child,
    startMs,
    stop: async () => {
      if (exited) return
      const done = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await done
    },
  }
}

/** The gateway as `npm start` runs it (built by the bench first). */
export function startGateway(dataDir: string, env: Record<string, string> = {}) {
  return startServer([join(REPO, 'dist', 'gateway.mjs')], { CSVLAKE_DATA_DIR: dataDir, ...env })
}

export function build(): void {
  const result = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' })
  if (result.status !== 0) throw new Error('build failed')
}

export async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>
}

export function postJson(url: string, body: unknown) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

/** Uploads a file with curl, which streams it from disk, as a user's command line would. */
export function curlUpload(url: string, file: string): Promise<{ status: number; seconds: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '-F', `file=@${file};type=text/csv`, '-w', '\n%{http_code} %{time_total}', `${url}/api/upload`])
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('close', () => {
      const lines = out.trimEnd().split('\n')
      const [code, seconds] = (lines.pop() ?? '').split(' ')
      let body: Record<string, unknown> = {}
      try {
        body = JSON.parse(lines.join('\n')) as Record<string, unknown>
      } catch {
        // not JSON (a bare server answers plain text)
      }
      resolve({ status: Number(code), seconds: Number(seconds), body })
    })
  })
}

/** Polls a job until it has ended. */
export async function waitForJob(url: string, jobId: string): Promise<Record<string, unknown>> {
  for (;;) {
    const job = await json(await fetch(`${url}/api/job-status?jobId=${jobId}`))
    if (job.status !== 'RUNNING') return job
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Runs SQL through the API to the end (polling past waitMs), as a client would. */
export async function runQuery(url: string, sql: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  let body = await json(await postJson(`${url}/api/query`, { sql, waitMs: 60_000, ...extra }))
  while (body.status === 'RUNNING') {
    await new Promise((r) => setTimeout(r, 10))
    body = await json(await fetch(`${url}/api/query/${String(body.queryId)}?maxResults=1`))
  }
  if (body.status !== 'SUCCEEDED') throw new Error(`query ${String(body.status)}: ${JSON.stringify(body.error ?? body)}`)
  return body
}
