import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'
import { describe, expect, it } from 'vitest'
import { pathMatches, winningRules } from './gateway-api-match.ts'

const route = (name: string, ...paths: [type: 'Exact' | 'PathPrefix', value: string, method?: string][]): IHTTPRoute => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name },
  spec: { rules: [{ matches: paths.map(([type, value, method]) => ({ path: { type, value }, ...(method ? { method: method as 'GET' } : {}) })) }] },
})

describe('HTTPRoute path matching, as the Gateway API spec defines it', () => {
  it('matches a PathPrefix element by element, ignoring a trailing slash of the value', () => {
    const prefix = { type: 'PathPrefix' as const, value: '/abc' }
    expect(pathMatches(prefix, '/abc')).toBe(true)
    expect(pathMatches(prefix, '/abc/')).toBe(true)
    expect(pathMatches(prefix, '/abc/def')).toBe(true)
    expect(pathMatches(prefix, '/abcd')).toBe(false)
    expect(pathMatches({ type: 'PathPrefix', value: '/abc/' }, '/abc')).toBe(true)
    expect(pathMatches({ type: 'PathPrefix', value: '/' }, '/anything/at/all')).toBe(true)
    expect(pathMatches(undefined, '/x')).toBe(true)
  })

  it('matches Exact only on the whole path', () => {
    expect(pathMatches({ type: 'Exact', value: '/api/query' }, '/api/query')).toBe(true)
    expect(pathMatches({ type: 'Exact', value: '/api/query' }, '/api/query/')).toBe(false)
    expect(pathMatches({ type: 'Exact', value: '/api/query' }, '/api/query/q1')).toBe(false)
  })

  it('refuses regular expressions instead of guessing an implementation', () => {
    expect(() => pathMatches({ type: 'RegularExpression', value: '/a.*' }, '/a')).toThrow(/not evaluated/)
  })
})

describe('HTTPRoute precedence across routes', () => {
  it('prefers an Exact match, then the longest prefix, then a method match', () => {
    const routes = [route('all', ['PathPrefix', '/']), route('api', ['PathPrefix', '/api']), route('query', ['PathPrefix', '/api/query']), route('exact', ['Exact', '/api'])]
    expect(winningRules(routes, { method: 'GET', path: '/api/query/q1' }).map((m) => m.route)).toEqual(['query'])
    expect(winningRules(routes, { method: 'GET', path: '/api/queryx' }).map((m) => m.route)).toEqual(['api'])
    expect(winningRules(routes, { method: 'GET', path: '/api' }).map((m) => m.route)).toEqual(['exact'])
    expect(winningRules(routes, { method: 'GET', path: '/index.html' }).map((m) => m.route)).toEqual(['all'])
    const byMethod = [route('any', ['PathPrefix', '/api']), route('post', ['PathPrefix', '/api', 'POST'])]
    expect(winningRules(byMethod, { method: 'POST', path: '/api/x' }).map((m) => m.route)).toEqual(['post'])
    expect(winningRules(byMethod, { method: 'GET', path: '/api/x' }).map((m) => m.route)).toEqual(['any'])
  })

  it('answers every rule of equal precedence, so a tie left to creation time is visible', () => {
    const tie = [route('a', ['PathPrefix', '/api']), route('b', ['PathPrefix', '/api'])]
    expect(winningRules(tie, { method: 'GET', path: '/api/x' }).map((m) => m.route)).toEqual(['a', 'b'])
  })
})
