import { describe, expect, it } from 'vitest'
import { apiRoutes } from '../functions/docs/api-routes.ts'
import { routingTable, serviceFor } from './routing.ts'

describe('the routing table of a deployment', () => {
  const table = routingTable()

  it('sends every route of the OpenAPI document to exactly one function, the one whose routes.ts has it', () => {
    for (const route of apiRoutes) {
      const concrete = route.path.replaceAll(/\{[^}]+\}/g, 'x_1')
      const owners = table.filter((r) => (r.match === 'exact' ? concrete === r.path : concrete.startsWith(r.path + '/')) && r.service !== 'web')
      expect(owners.length, route.path).toBeGreaterThanOrEqual(1)
      expect(serviceFor(table, concrete), route.path).not.toBe('web')
    }
    expect(serviceFor(table, '/api/query')).toBe('query')
    expect(serviceFor(table, '/api/query/q_1/results.csv')).toBe('query')
    expect(serviceFor(table, '/api/jobs')).toBe('job-status')
    expect(serviceFor(table, '/api/tables/people')).toBe('tables')
    expect(serviceFor(table, '/api/files/f_1')).toBe('files')
    expect(serviceFor(table, '/api/config')).toBe('health')
  })

  it('sends the docs and unknown API paths to the docs function, and everything else to the web', () => {
    expect(serviceFor(table, '/api/openapi.json')).toBe('docs')
    expect(serviceFor(table, '/api/docs')).toBe('docs')
    expect(serviceFor(table, '/api/docs/swagger-ui.css')).toBe('docs')
    expect(serviceFor(table, '/')).toBe('web')
    expect(serviceFor(table, '/query/')).toBe('web')
    // A prefix matches whole segments only; an unknown API path gets the API's JSON 404 from docs.
    expect(serviceFor(table, '/api/queryx')).toBe('docs')
  })
})
