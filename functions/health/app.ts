import { createRoute } from '@hono/zod-openapi'
import { z } from '../core/zod.ts'
import { createApp, json } from '../core/http/openapi.ts'
import type { Services } from '../core/services.ts'

const healthRoute = createRoute({
  method: 'get',
  path: '/api/health',
  summary: 'Liveness (no token needed)',
  responses: { 200: json(z.object({ status: z.literal('ok'), mode: z.enum(['local', 'aws']) }), 'Up') },
})

const configRoute = createRoute({
  method: 'get',
  path: '/api/config',
  summary: 'What a browser client needs to know (no token needed)',
  responses: {
    200: json(
      z.object({ mode: z.enum(['local', 'aws']), identity: z.object({ enabled: z.boolean() }), maxUploadBytes: z.number() }),
      'Client configuration',
    ),
  },
})

export function createHealthApp(deps: Pick<Services, 'config' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const, mode: deps.config.mode }, 200))
  app.openapi(configRoute, (c) =>
    c.json({ mode: deps.config.mode, identity: { enabled: false }, maxUploadBytes: deps.config.maxUploadBytes }, 200),
  )
  return app
}
