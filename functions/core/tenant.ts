/**
 * A tenant id is safe as an object-key segment and inside a DuckDB identifier: lower-case
 * letters, digits, '-' and '_'. Until identity arrives every caller is the tenant `local`.
 */
export type TenantId = string & { readonly __brand: 'TenantId' }

const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/

export function tenantId(value: string): TenantId {
  if (!TENANT_PATTERN.test(value)) throw new Error(`not a tenant id: ${JSON.stringify(value)}`)
  return value as TenantId
}

export const LOCAL_TENANT = tenantId('local')

/**
 * The tenant's Glue database (and Athena schema): Glue and Athena allow only lower-case letters,
 * digits and '_', so '-' cannot be kept, and mapping it to '_' would make `a-b` and `a_b` one
 * database. Escaped instead: '_' becomes '__' and '-' becomes '_h', so every tenant has its own
 * name (reading back two characters at each '_' gives the tenant again).
 */
export function tenantDatabase(tenant: TenantId, prefix = 'csvlake_'): string {
  return prefix + tenant.replaceAll('_', '__').replaceAll('-', '_h')
}
