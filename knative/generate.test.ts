import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BASE_DIR, baseFiles } from './base-files.ts'

describe('knative/base, generated from the routing table', () => {
  it('is exactly what knative/generate.ts makes (run `node_modules/.bin/node knative/generate.ts` after changing deploy/routing.ts, a routes.ts or knative/settings.ts)', async () => {
    const expected = baseFiles()
    const committed = (await readdir(BASE_DIR)).filter((name) => name.endsWith('.yaml')).sort()
    expect(committed, 'files in knative/base').toEqual(Object.keys(expected).sort())
    for (const [name, text] of Object.entries(expected)) {
      expect(await readFile(join(BASE_DIR, name), 'utf8'), `knative/base/${name}`).toBe(text)
    }
  })
})
