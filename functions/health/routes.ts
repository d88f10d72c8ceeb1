// The health function's routes as data: paths, schemas and answers. Its app (app.ts) attaches the
// handlers; the docs function builds the OpenAPI document from these alone, with no services or
// adapters loaded.
import { doc, z } from '../core/zod.ts'
import { defineRoute, json } from '../core/http/openapi.ts'

export const healthRoute = defineRoute({
  method: 'get',
  path: '/api/health',
  summary: 'Liveness (no token needed)',
  public: true,
  responses: { 200: json(z.object({ status: z.literal('ok'), mode: z.enum(['local', 'aws']) }), 'Up') },
})

export const configRoute = defineRoute({
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

/** Every route of the health function, in the order its app registers them (the document's order). */
export const routes = [healthRoute, configRoute]
