import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DiskObjectStore } from '../adapters/local/disk-object-store.ts'
import { keys } from '../keys.ts'
import { tenantId } from '../tenant.ts'
import { SmallResults } from './small-results.ts'

const ACME = tenantId('acme')
const columns = [{ name: 's', type: 'string' }]
let dataDir: string
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'csvlake-small-'))
})
afterEach(() => rm(dataDir, { recursive: true, force: true }))

describe('SmallResults', () => {
  it('keeps in memory no more bytes than its budget, and still reads every result back from the store', async () => {
    const results = new SmallResults(new DiskObjectStore(dataDir), 4000)
    for (let i = 0; i < 10; i++) {
      await results.save(ACME, `q${i}`, { columns, rows: [['x'.repeat(900)]] })
      expect(results.cachedBytes).toBeLessThanOrEqual(4000)
    }
    expect(results.cachedBytes).toBeGreaterThan(0)
    for (let i = 0; i < 10; i++) expect((await results.load(ACME, `q${i}`))?.rows[0]?.[0]).toHaveLength(900)
  })

  it('does not keep in memory a result bigger than a quarter of its budget', async () => {
    const results = new SmallResults(new DiskObjectStore(dataDir), 4000)
    await results.save(ACME, 'big', { columns, rows: [['x'.repeat(1500)]] })
    expect(results.cachedBytes).toBe(0)
    expect((await results.load(ACME, 'big'))?.rows).toHaveLength(1)
  })

  it('writes the rows JSON the sandbox sent as it is, with the columns, and answers the bytes written', async () => {
    const results = new SmallResults(new DiskObjectStore(dataDir))
    const rows = [['é', null], ['x', 2]]
    const bytes = await results.save(ACME, 'q1', { columns, rows }, JSON.stringify({ rows }))
    const text = await readFile(join(dataDir, keys.resultJson(ACME, 'q1')), 'utf8')
    expect(JSON.parse(text)).toEqual({ columns, rows })
    expect(bytes).toBe(Buffer.byteLength(text))
  })
})
