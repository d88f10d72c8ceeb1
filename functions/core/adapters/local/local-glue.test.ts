import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Dialect } from '../../ingest/dialect.ts'
import type { DuckDbIngest } from './duckdb-ingest.ts'
import { LocalGlue } from './local-glue.ts'

const dialect: Dialect = { delimiter: ',', quote: '"', escape: '"', header: true, encoding: 'utf-8', bom: false, compression: 'none', lineEnding: '\n', columnNames: ['id'] }

let root: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'csvlake-glue-'))
  await mkdir(join(root, 'staging/t/j_1'), { recursive: true })
  await writeFile(join(root, 'staging/t/j_1/data.csv'), 'id\n1\n')
})
afterEach(() => rm(root, { recursive: true, force: true }))

/** A crawl that takes `ms`, as one queued behind other jobs' DuckDB work does. */
function slowIngest(ms: number): DuckDbIngest {
  return { crawl: async () => (await new Promise((r) => setTimeout(r, ms)), [{ name: 'id', type: 'bigint' }]) } as unknown as DuckDbIngest
}

function glueWith(ingest: DuckDbIngest) {
  const glue = new LocalGlue(ingest, (url) => join(root, url.replace(/^s3:\/\/[^/]+\//, '')))
  glue.createClassifier('c', dialect)
  glue.createCrawler({ Name: 'c', DatabaseName: 'staging', Classifiers: ['c'], TablePrefix: 'j_1_', Targets: { S3Targets: [{ Path: 's3://local/staging/t/j_1/' }] } })
  return glue
}

describe('LocalGlue, as the state machine polls it', () => {
  it('answers a crawler that has not crawled yet with no LastCrawl at all, as Glue does', () => {
    expect(glueWith(slowIngest(0)).getCrawler('c')).toEqual({ Crawler: { Name: 'c', State: 'READY' } })
  })

  it('lets a poll wait for a slow crawl to end, so the capped poll loop does not give up on it', async () => {
    const glue = glueWith(slowIngest(150))
    glue.startCrawler('c')
    expect(glue.getCrawler('c').Crawler.State).toBe('RUNNING')
    const t0 = Date.now()
    await glue.settled('c', 5_000)
    expect(Date.now() - t0).toBeLessThan(2_000)
    expect(glue.getCrawler('c')).toMatchObject({ Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } } })
    expect(glue.getTable('staging', 'j_1_j_1').Table.StorageDescriptor.Columns).toEqual([{ name: 'id', type: 'bigint' }])
  })

  it('answers a poll after at most its wait while the crawl goes on', async () => {
    const glue = glueWith(slowIngest(1_000))
    glue.startCrawler('c')
    const t0 = Date.now()
    await glue.settled('c', 50)
    expect(Date.now() - t0).toBeLessThan(500)
    expect(glue.getCrawler('c').Crawler.State).toBe('RUNNING')
    await glue.settled('c', 5_000)
  })

  it('deletes the crawler, the classifier and the crawled table each by its own call', async () => {
    const glue = glueWith(slowIngest(0))
    glue.startCrawler('c')
    await glue.settled('c', 5_000)
    glue.deleteCrawler('c')
    glue.deleteClassifier('c')
    glue.deleteTable('staging', 'j_1_j_1')
    expect(() => glue.getCrawler('c')).toThrow(/not found/)
    expect(() => glue.getTable('staging', 'j_1_j_1')).toThrow(/not found/)
    expect(glue.createClassifier('c', dialect)).toEqual({})
  })
})
