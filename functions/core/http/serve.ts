import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { listenHost, openWarning, type AccessConfig } from './local-access.ts'

/**
 * Serves a Hono app on `config.port` (as a Knative service runs it, or the local gateway) and shuts
 * down cleanly on SIGTERM/SIGINT: stop accepting, let running work end or fail properly, then exit.
 * It listens where `listenHost` says: this machine only without identity, unless HOST opens it.
 */
export function serveApp(opts: { app: Hono<never>; config: AccessConfig & Pick<Config, 'port'>; log: Logger; name: string; close: () => Promise<void> }) {
  const { config, log } = opts
  const hostname = listenHost(config)
  const warning = openWarning(config, config.port)
  if (warning) log.warn(warning)
  const server = serve({ fetch: opts.app.fetch, port: config.port, ...(hostname === undefined ? {} : { hostname }) }, (info) => {
    log.info(`${opts.name} listening`, { url: `http://${urlHost(hostname)}:${info.port}/`, address: info.address })
  })
  const stop = async (signal: string) => {
    log.info(`${opts.name} stopping`, { signal })
    server.close()
    await opts.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  return server
}

/** The name to open in a browser: localhost unless the server listens on one address elsewhere. */
function urlHost(hostname: string | undefined) {
  if (hostname === undefined || /^(0\.0\.0\.0|::|127(\.\d+){3}|::1|localhost)$/.test(hostname)) return 'localhost'
  return hostname.includes(':') ? `[${hostname}]` : hostname
}
