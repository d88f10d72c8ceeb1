import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'

/** A request as HTTPRoute matching sees it (path without the query string). */
export type Request = { method: string; path: string }

/** A rule of a route that matched a request, and how strongly (Gateway API precedence). */
export type RuleMatch = {
  route: string
  ruleIndex: number
  rule: NonNullable<NonNullable<IHTTPRoute['spec']>['rules']>[number]
  /** Compared in order, larger first: Exact path, prefix length, method given, header and query matches. */
  precedence: readonly [number, number, number, number, number]
}

type Match = NonNullable<RuleMatch['rule']['matches']>[number]

/**
 * Whether a path matches a Gateway API path match. Exact: the whole path. PathPrefix: element by
 * element, split by `/`, a trailing `/` of the value ignored - `/abc` matches `/abc`, `/abc/` and
 * `/abc/def` but not `/abcd`. No path match means PathPrefix `/`. RegularExpression is
 * implementation-specific, so it is refused rather than guessed.
 */
export function pathMatches(match: Match['path'], path: string): boolean {
  const type = match?.type ?? 'PathPrefix'
  const value = match?.value ?? '/'
  if (type === 'Exact') return path === value
  if (type === 'PathPrefix') {
    const prefix = value.replace(/\/+$/, '')
    return prefix === '' || path === prefix || path.startsWith(`${prefix}/`)
  }
  throw new Error(`path match type ${type} is not evaluated here`)
}

function precedenceOf(match: Match): RuleMatch['precedence'] {
  const path = match.path ?? {}
  const exact = (path.type ?? 'PathPrefix') === 'Exact' ? 1 : 0
  return [exact, (path.value ?? '/').length, match.method ? 1 : 0, match.headers?.length ?? 0, match.queryParams?.length ?? 0]
}

function compare(a: RuleMatch['precedence'], b: RuleMatch['precedence']): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

/**
 * Every rule of `routes` a request matches, each with the precedence of its best matching match.
 * Header and query parameter matches are refused: none of our routes use them, and a rule that did
 * would need them evaluated to be judged.
 */
export function matchingRules(routes: readonly IHTTPRoute[], request: Request): RuleMatch[] {
  const found: RuleMatch[] = []
  for (const route of routes) {
    for (const [ruleIndex, rule] of (route.spec?.rules ?? []).entries()) {
      // A rule without matches matches every request, as PathPrefix "/".
      const matches: Match[] = rule.matches?.length ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }]
      let best: RuleMatch['precedence'] | undefined
      for (const match of matches) {
        if (match.headers?.length || match.queryParams?.length) throw new Error(`${route.metadata?.name}: header and query matches are not evaluated here`)
        if (match.method && match.method !== request.method) continue
        if (!pathMatches(match.path, request.path)) continue
        const precedence = precedenceOf(match)
        if (!best || compare(precedence, best) > 0) best = precedence
      }
      if (best) found.push({ route: route.metadata?.name ?? '', ruleIndex, rule, precedence: best })
    }
  }
  return found
}

/**
 * The rules that win for a request: those of the highest precedence. More than one means the
 * outcome rests on the tie-breaks (the oldest route, then names), which a deployment should not
 * depend on - callers treat it as an error.
 */
export function winningRules(routes: readonly IHTTPRoute[], request: Request): RuleMatch[] {
  const found = matchingRules(routes, request)
  const top = found.reduce<RuleMatch['precedence'] | undefined>((best, m) => (!best || compare(m.precedence, best) > 0 ? m.precedence : best), undefined)
  return top ? found.filter((m) => compare(m.precedence, top) === 0) : []
}
