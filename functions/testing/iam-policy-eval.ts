/**
 * An evaluator for the small part of the IAM policy language csvlake's session policies use:
 * Effect Allow/Deny, Action and Resource (strings or lists, with `*` and `?` wildcards), and
 * Condition with StringEquals / StringLike on request context keys. It is ours, written from the
 * IAM User Guide's policy evaluation logic, not IAM: it shows what a policy names, and anything
 * outside this subset (NotAction, NotResource, Principal, other operators) throws rather than
 * being guessed at.
 */

export type PolicyRequest = {
  action: string
  resource: string
  /** Condition keys of the request, e.g. `s3:prefix` of a ListBucket. */
  context?: Record<string, string>
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny'

type Statement = {
  Effect: 'Allow' | 'Deny'
  Action: string | string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}

const SUPPORTED = new Set(['Sid', 'Effect', 'Action', 'Resource', 'Condition'])

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value])

/** IAM's wildcards: `*` any run of characters (including '/' and ':'), `?` any one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's').test(value)
}

function conditionHolds(condition: Statement['Condition'], context: Record<string, string>): boolean {
  for (const [operator, tests] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(tests)) {
      const actual = context[key]
      // A key the request does not carry fails the test (no ...IfExists in this subset).
      if (actual === undefined) return false
      const match =
        operator === 'StringEquals' ? (p: string) => p === actual
        : operator === 'StringLike' ? (p: string) => wildcardMatch(p, actual)
        : undefined
      if (!match) throw new Error(`condition operator ${operator} is outside the evaluated subset`)
      if (!list(expected).some(match)) return false
    }
  }
  return true
}

function statementsOf(policyJson: string): Statement[] {
  const policy = JSON.parse(policyJson) as { Version?: string; Statement: Statement | Statement[] }
  if (policy.Version !== '2012-10-17') throw new Error('only policy version 2012-10-17 is evaluated')
  const statements = list(policy.Statement)
  for (const s of statements) {
    const extra = Object.keys(s).filter((k) => !SUPPORTED.has(k))
    if (extra.length > 0) throw new Error(`statement elements ${extra.join(', ')} are outside the evaluated subset`)
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new Error(`Effect ${String(s.Effect)} is not Allow or Deny`)
  }
  return statements
}

/** One request against one policy: an explicit Deny wins, then any Allow, else the implicit deny. */
export function evaluatePolicy(policyJson: string, request: PolicyRequest): Decision {
  const applies = (s: Statement) =>
    list(s.Action).some((a) => wildcardMatch(a, request.action, true)) &&
    list(s.Resource).some((r) => wildcardMatch(r, request.resource)) &&
    conditionHolds(s.Condition, request.context ?? {})
  const matching = statementsOf(policyJson).filter(applies)
  if (matching.some((s) => s.Effect === 'Deny')) return 'explicit-deny'
  return matching.length > 0 ? 'allow' : 'implicit-deny'
}

/** An operation that needs several resources (Glue's GetTable: catalog, database, table) is allowed only if all are. */
export function allowsAll(policyJson: string, action: string, resources: string[], context?: Record<string, string>): boolean {
  return resources.every((resource) => evaluatePolicy(policyJson, { action, resource, ...(context ? { context } : {}) }) === 'allow')
}
