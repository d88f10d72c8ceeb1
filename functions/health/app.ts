import { doc, z } from '../core/zod.ts'
import { createApp, defineRoute, json } from '../core/http/openapi.ts'
import type { Services } from '../core/services.ts'

const healthRoute = defineRoute({
  method: 'get',
  path: '/api/health',
  summary: 'Liveness (no token needed)',
  public: true,
  responses: { 200: json(z.object({ status: z.literal('ok'), mode: z.enum(['local', 'aws']) }), 'Up') },
})

const configRoute = defineRoute({
  method: 'get',
  path: '/api/config',
  summary: 'What a browser client needs to know (no token needed)',
  public: true,
  responses: {
    200: json(
      z.object({
        mode: z.enum(['local', 'aws']),
        identity: z.object({
          enabled: z.boolean(),
          issuer: z.optional(z.string()),
          domain: doc(z.optional(z.string()), { description: 'The Auth0 domain to sign in with' }),
          clientId: z.optional(z.string()),
          audience: z.optional(z.string()),
        }),
        maxUploadBytes: z.number(),
      }),
      'Client configuration',
    ),
  },
})

export function createHealthApp(deps: Pick<Services, 'config' | 'log'>) {
  const app = createApp(deps.log)
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const, mode: deps.config.mode }, 200))
  const auth = deps.config.auth
  const identity = auth.enabled
    ? { enabled: true, issuer: auth.issuer, domain: new URL(auth.issuer).host, audience: auth.audience, ...(auth.clientId ? { clientId: auth.clientId } : {}) }
    : { enabled: false }
  app.openapi(configRoute, (c) => c.json({ mode: deps.config.mode, identity, maxUploadBytes: deps.config.maxUploadBytes }, 200))
  return app
}
