import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { Hono } from 'hono'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { listenHost, openWarning, type AccessConfig } from './local-access.ts'

/** How often, while draining, connections that have gone idle (keep-alive) are closed. */
const IDLE_SWEEP_MS = 50

/**
 * Serves a Hono app on `config.port` (as a Knative service runs it, or the local gateway) and shuts
 * down cleanly on SIGTERM/SIGINT (see `drain`), then closes the services and exits.
 * It listens where `listenHost` says: this machine only without identity, unless HOST opens it.
 */
export function serveApp(opts: { app: Hono<never>; config: AccessConfig & Pick<Config, 'port' | 'shutdownGraceMs'>; log: Logger; name: string; close: () => Promise<void> }) {
  const { config, log } = opts
  const hostname = listenHost(config)
  const warning = openWarning(config, config.port)
  if (warning) log.warn(warning)
  const server = serve({ fetch: opts.app.fetch, port: config.port, ...(hostname === undefined ? {} : { hostname }) }, (info) => {
    log.info(`${opts.name} listening`, { url: `http://${urlHost(hostname)}:${info.port}/`, address: info.address })
  }) as Server
  const inFlight = countInFlight(server)
  const stop = async (signal: string) => {
    log.info(`${opts.name} stopping`, { signal, inFlight: inFlight(), graceMs: config.shutdownGraceMs })
    const { cut } = await drain(server, config.shutdownGraceMs, inFlight)
    if (cut > 0) log.warn(`${opts.name} cut requests still running after the grace period`, { cut, graceMs: config.shutdownGraceMs })
    await opts.close()
    log.info(`${opts.name} stopped`, { signal })
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  return server
}

/**
 * Stops accepting at once (a new connection is refused), lets the requests in flight finish for up
 * to `graceMs` - closing each keep-alive connection as soon as it is idle, or `close` would wait for
 * its client to hang up - then destroys the connections still busy. Answers how many requests were
 * cut.
 */
export async function drain(server: Server, graceMs: number, inFlight: () => number): Promise<{ cut: number }> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
  let timer: NodeJS.Timeout | undefined
  const graceOver = new Promise<'over'>((resolve) => (timer = setTimeout(() => resolve('over'), graceMs)))
  try {
    if ((await Promise.race([closed, graceOver])) !== 'over') return { cut: 0 }
    const cut = inFlight()
    server.closeAllConnections()
    await closed
    return { cut }
  } finally {
    clearInterval(sweep)
    clearTimeout(timer)
  }
}

/** Counts the requests a server answers from now on, from their arrival until their response ends or fails. */
export function countInFlight(server: Server): () => number {
  let running = 0
  server.on('request', (_req, res) => {
    running++
    res.once('close', () => running--)
  })
  return () => running
}

/** The name to open in a browser: localhost unless the server listens on one address elsewhere. */
function urlHost(hostname: string | undefined) {
  if (hostname === undefined || /^(0\.0\.0\.0|::|127(\.\d+){3}|::1|localhost)$/.test(hostname)) return 'localhost'
  return hostname.includes(':') ? `[${hostname}]` : hostname
}
