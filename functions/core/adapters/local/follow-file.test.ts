import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { buffer } from 'node:stream/consumers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { followFile } from './follow-file.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csvlake-follow-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('followFile', () => {
  it('streams what a writer appends, including what it writes after the reader started, and ends when it is done', async () => {
    const path = join(dir, 'growing.csv')
    const written = (async () => {
      await sleep(20) // the reader starts before the file exists
      await writeFile(path, 'a,b\n')
      for (let i = 0; i < 50; i++) {
        await appendFile(path, `${i},${'x'.repeat(30_000)}\n`)
        if (i % 10 === 0) await sleep(3)
      }
    })()
    const body = (await buffer(followFile(path, written, 1))).toString()
    const lines = body.trimEnd().split('\n')
    expect(lines).toHaveLength(51)
    expect(lines[0]).toBe('a,b')
    expect(lines.at(-1)!.startsWith('49,')).toBe(true)
  })

  it('fails with the writer\'s error', async () => {
    const path = join(dir, 'broken.csv')
    const written = (async () => {
      await writeFile(path, 'a\n1\n')
      throw new Error('disk full')
    })()
    await expect(buffer(followFile(path, written, 1))).rejects.toThrow('disk full')
  })

  it('fails with the writer\'s error when the file was never created', async () => {
    await expect(buffer(followFile(join(dir, 'never.csv'), Promise.reject(new Error('no such table')), 1))).rejects.toThrow('no such table')
  })
})
