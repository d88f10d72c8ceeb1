import { describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { createLogger } from '../core/logger.ts'
import type { Services } from '../core/services.ts'
import { functionApps } from '../gateway/app.ts'
import { apiRoutes } from './api-routes.ts'
import { createDocsApp } from './app.ts'

const log = createLogger({ quiet: true })
const assets = { read: async (name: string) => new TextEncoder().encode(`/* ${name} */`) }

/**
 * The apps as the gateway mounts them. Building an app only keeps its deps (no port is called
 * until a request comes), so these stand-ins are enough to read each app's registered routes.
 */
function mountedRoutes() {
  const services = { config: loadConfig({}), log, queries: {} } as unknown as Services
  return functionApps(services).flatMap((app) => app.operations)
}

async function servedDocument(): Promise<Record<string, any>> {
  const res = await createDocsApp({ log, assets }).request('/api/openapi.json')
  expect(res.status).toBe(200)
  return (await res.json()) as Record<string, any>
}

describe('the docs function', () => {
  it('lists exactly the routes the gateway mounts, the same objects in the same order', () => {
    const mounted = mountedRoutes()
    expect(apiRoutes).toHaveLength(mounted.length)
    mounted.forEach((route, i) => expect(apiRoutes[i], `${route.method} ${route.path}`).toBe(route))
  })

  it('serves the document as committed in openapi.snapshot.json: a change to the API shows in review (update with vitest -u)', async () => {
    const served = await servedDocument()
    await expect(`${JSON.stringify(served, null, 2)}\n`).toMatchFileSnapshot('./openapi.snapshot.json')
  })

  it('documents every method of every mounted route', async () => {
    const served = await servedDocument()
    for (const route of mountedRoutes()) expect(served.paths[route.path]?.[route.method], `${route.method} ${route.path}`).toBeDefined()
  })

  it("serves Swagger UI's assets through its assets port, and 404 in the error shape for any other name", async () => {
    const app = createDocsApp({ log, assets })
    const css = await app.request('/api/docs/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(await css.text()).toBe('/* swagger-ui.css */')
    const other = await app.request('/api/docs/package.json')
    expect(other.status).toBe(404)
    expect(await other.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } })
  })
})
