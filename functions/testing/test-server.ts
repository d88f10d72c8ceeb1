import { serve } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../core/config.ts'
import { createLogger } from '../core/logger.ts'
import { servicesForMode } from '../core/adapters/services-for-mode.ts'
import { createGatewayApp } from '../gateway/app.ts'

export type TestServer = { url: string; dataDir: string; close: () => Promise<void> }

/** The gateway as `npm start` runs it, over real HTTP on a free port, with its own data folder. */
export async function startTestServer(env: Record<string, string> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'csvlake-test-')))
  const config = loadConfig({ CSVLAKE_DATA_DIR: dir, PORT: '0', CSVLAKE_LOCAL_WAIT_MS: '5', ...env })
  const log = createLogger({ quiet: true })
  const services = await servicesForMode(config, log)
  await services.recover()
  const { server, url } = await serveOnFreePort(createGatewayApp(services))
  return {
    url,
    dataDir: dir,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await services.close()
      if (!dataDir) await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Serves a Hono app over real HTTP on a free loopback port. */
export async function serveOnFreePort(app: { fetch: (req: Request) => Response | Promise<Response> }) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}` }
}

/** POSTs a file as multipart form data, as a browser or `curl -F file=@...` does. */
export async function upload(url: string, name: string, content: string | Uint8Array, type = 'text/csv') {
  const form = new FormData()
  form.append('file', new Blob([typeof content === 'string' ? content : Buffer.from(content)], { type }), name)
  return fetch(`${url}/api/upload`, { method: 'POST', body: form })
}

/** Polls job-status until the job has ended. */
export async function waitForJob(url: string, jobId: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const res = await fetch(`${url}/api/job-status?jobId=${jobId}`)
    const job = (await res.json()) as { status: string; [k: string]: unknown }
    if (job.status !== 'RUNNING') return job
    if (Date.now() > until) throw new Error(`job ${jobId} still RUNNING after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export async function postJson(url: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}
