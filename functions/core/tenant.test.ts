import { describe, expect, it } from 'vitest'
import { tenantDatabase, tenantId } from './tenant.ts'

describe('tenantDatabase', () => {
  it('gives tenants that differ only by "-" and "_" different databases', () => {
    expect(tenantDatabase(tenantId('a-b'))).not.toBe(tenantDatabase(tenantId('a_b')))
    expect(tenantDatabase(tenantId('a_h'))).not.toBe(tenantDatabase(tenantId('a-')))
  })

  it('answers names Glue and Athena accept: lower-case letters, digits and "_"', () => {
    for (const t of ['local', 'a-b', 'a_b', 'x--_-9', 'z'.repeat(63)]) {
      expect(tenantDatabase(tenantId(t))).toMatch(/^[a-z0-9_]{1,255}$/)
    }
  })

  it('is one-to-one over every short tenant id', () => {
    const alphabet = ['a', 'h', '_', '-', '0']
    const seen = new Map<string, string>()
    const ids = alphabet.flatMap((a) => alphabet.flatMap((b) => alphabet.map((c) => `a${a}${b}${c}`)))
    for (const id of ids) {
      const name = tenantDatabase(tenantId(id))
      expect(seen.get(name) ?? id).toBe(id)
      seen.set(name, id)
    }
    expect(seen.size).toBe(ids.length)
  })
})
