import { describe, expect, it } from 'vitest'
import { tenantId } from '../tenant.ts'
import { downloadLinks } from './download-links.ts'

const ALICE = tenantId('u-alice-0123456789abcdef')
const NOW = Date.parse('2026-11-27T12:00:00Z')
const links = downloadLinks('s3cret', 60_000)

const refusal = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message }
  }
  throw new Error('not refused')
}

describe('download links', () => {
  it('open the export they were made for, for the tenant they were made for, until they expire', () => {
    const { token, expiresAt } = links.sign(ALICE, 'q_1', NOW)
    expect(expiresAt).toBe('2026-11-27T12:01:00.000Z')
    expect(links.verify(token, 'q_1', NOW + 59_000)).toBe(ALICE)
    expect(refusal(() => links.verify(token, 'q_1', NOW + 61_000))).toEqual({ code: 'UNAUTHORIZED', message: 'This download link has expired. Ask for a new download link.' })
  })

  it('do not open another query\'s export', () => {
    const { token } = links.sign(ALICE, 'q_1', NOW)
    expect(refusal(() => links.verify(token, 'q_2', NOW)).message).toMatch(/another query/)
  })

  it('refuse a changed payload, a changed signature, another secret and garbage', () => {
    const { token } = links.sign(ALICE, 'q_1', NOW)
    const [payload, signature] = token.split('.') as [string, string]
    const forged = Buffer.from(JSON.stringify({ t: 'u-mallory-0123456789abcdef', q: 'q_1', e: NOW / 1000 + 60 })).toString('base64url')
    expect(refusal(() => links.verify(`${forged}.${signature}`, 'q_1', NOW)).message).toMatch(/not valid/)
    expect(refusal(() => links.verify(`${payload}.${signature.slice(0, -2)}AA`, 'q_1', NOW)).message).toMatch(/not valid/)
    expect(refusal(() => downloadLinks('other').verify(token, 'q_1', NOW)).message).toMatch(/not valid/)
    for (const garbage of ['', 'abc', 'a.b.c', `${payload}.`]) expect(refusal(() => links.verify(garbage, 'q_1', NOW)).code, garbage).toBe('UNAUTHORIZED')
  })
})
