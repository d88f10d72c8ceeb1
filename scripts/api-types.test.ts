import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { API_TYPES_FILE, apiTypes } from './api-types.ts'

describe('the web client types', () => {
  it('are exactly what the API document generates today (run `npm run api-types` after changing a route)', async () => {
    const committed = await readFile(API_TYPES_FILE, 'utf8')
    expect(committed === (await apiTypes()), 'web/lib/api/schema.d.ts is stale: run `npm run api-types`').toBe(true)
  })
})
