import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import type { Logger } from '../logger.ts'

/**
 * Serves a Hono app on `port` (as a Knative service runs it, or the local gateway) and shuts down
 * cleanly on SIGTERM/SIGINT: stop accepting, let running work end or fail properly, then exit.
 */
export function serveApp(opts: { app: Hono<never>; port: number; log: Logger; name: string; close: () => Promise<void> }) {
  const server = serve({ fetch: opts.app.fetch, port: opts.port }, (info) => {
    opts.log.info(`${opts.name} listening`, { url: `http://localhost:${info.port}/` })
  })
  const stop = async (signal: string) => {
    opts.log.info(`${opts.name} stopping`, { signal })
    server.close()
    await opts.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  return server
}
